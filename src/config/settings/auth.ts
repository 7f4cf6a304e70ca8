/**
 * Authentication settings, read by src/config/auth.ts (docs/auth.md). The few `platform` settings here (PATH and
 * the user's home and config directories) are set by the operating system, but only the authentication parser
 * reads them (default token.json and rclone.conf locations, where rclone is looked for), so they are listed with
 * it, in the order the registry has always had.
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

export const AUTH_SETTINGS: readonly SettingInfo[] = [
  {
    name: "AUTH_MODE",
    area: "auth",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "One credential: client-secret, client-certificate, managed-identity, workload-identity, static-token or delegated; inferred from the other settings when absent.",
  },
  {
    name: "AZURE_TENANT_ID",
    area: "auth",
    scope: "app",
    required: "conditional",
    secret: false,
    description:
      "Tenant of the app registration; required for client-secret, client-certificate and workload-identity.",
  },
  {
    name: "AZURE_CLIENT_ID",
    area: "auth",
    scope: "app",
    required: "conditional",
    secret: false,
    description:
      "Application (client) id of the app registration; required for client-secret, client-certificate and workload-identity.",
  },
  {
    name: "AZURE_CLIENT_SECRET",
    area: "auth",
    scope: "app",
    required: "conditional",
    secret: true,
    description: "Client secret (client-secret mode). In Azure a Key Vault reference.",
  },
  {
    name: "AZURE_CLIENT_CERTIFICATE_PATH",
    area: "auth",
    scope: "local",
    required: "conditional",
    secret: false,
    description: "PEM file with certificate and private key (client-certificate mode, local runs).",
  },
  {
    name: "AZURE_CLIENT_CERTIFICATE_PEM",
    area: "auth",
    scope: "app",
    required: "conditional",
    secret: true,
    description:
      "PEM text with certificate and private key (client-certificate mode). In Azure a Key Vault reference.",
  },
  {
    name: "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    area: "auth",
    scope: "local",
    required: "optional",
    secret: true,
    description: "Password of an encrypted PEM private key.",
  },
  {
    name: "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
    area: "auth",
    scope: "app",
    required: "optional",
    secret: false,
    description: "true to send the x5c chain (subject name/issuer authentication). Default false.",
  },
  {
    name: "AZURE_MANAGED_IDENTITY_CLIENT_ID",
    area: "auth",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "Client id of the user-assigned identity used for Graph in managed-identity mode; absent = system-assigned.",
  },
  {
    name: "AZURE_FEDERATED_TOKEN_FILE",
    area: "auth",
    scope: "local",
    required: "conditional",
    secret: false,
    description: "Federated token file (workload-identity mode, e.g. Kubernetes).",
  },
  {
    name: "AZURE_AUTHORITY_HOST",
    area: "auth",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Login authority override, https origin. Default: the GRAPH_CLOUD's.",
  },
  {
    name: "GRAPH_CLOUD",
    area: "auth",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "global, usgov, usgovdod or china: picks the login authority and Graph root as a pair. Default global.",
  },
  {
    name: "GRAPH_ACCESS_TOKEN",
    area: "auth",
    scope: "local",
    required: "conditional",
    secret: true,
    description: "A ready-made access token (static-token mode; tests and one-off runs).",
  },
  {
    name: "TOKEN_FILE",
    area: "auth",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "token.json written by graph-mirror login (delegated mode). Default in the user's config directory.",
  },
  {
    name: "RCLONE_CONFIG",
    area: "auth",
    scope: "local",
    required: "optional",
    secret: false,
    description: "rclone.conf to take a OneDrive token from (delegated mode).",
  },
  {
    name: "RCLONE_REMOTE",
    area: "auth",
    scope: "local",
    required: "optional",
    secret: false,
    description: "rclone remote name; default the first onedrive remote.",
  },
  {
    name: "RCLONE_BINARY",
    area: "auth",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "rclone to run when a remote on rclone's own app (no client_id) has expired; default rclone on PATH.",
  },
  {
    name: "PATH",
    area: "platform",
    scope: "ambient",
    required: "optional",
    secret: false,
    description: "Where rclone is looked for (delegated mode, a remote on rclone's own app).",
  },
  {
    name: "RCLONE_CONFIG_PASS",
    area: "auth",
    scope: "local",
    required: "optional",
    secret: true,
    description: "Password of an encrypted rclone.conf.",
  },
  {
    name: "AUTH_LOGIN_SCOPES",
    area: "auth",
    scope: "local",
    required: "optional",
    secret: false,
    description: "Scopes graph-mirror login asks for.",
  },
  {
    name: "IDENTITY_ENDPOINT",
    area: "auth",
    scope: "ambient",
    required: "optional",
    secret: false,
    description:
      "Set by App Service/Functions when a managed identity is available; infers managed-identity mode.",
  },
  {
    name: "MSI_ENDPOINT",
    area: "auth",
    scope: "ambient",
    required: "optional",
    secret: false,
    description: "Older managed-identity endpoint variable; infers managed-identity mode.",
  },
  {
    name: "HOME",
    area: "platform",
    scope: "ambient",
    required: "optional",
    secret: false,
    description: "User home: default token.json and rclone.conf locations.",
  },
  {
    name: "USERPROFILE",
    area: "platform",
    scope: "ambient",
    required: "optional",
    secret: false,
    description: "User home on Windows.",
  },
  {
    name: "XDG_CONFIG_HOME",
    area: "platform",
    scope: "ambient",
    required: "optional",
    secret: false,
    description: "User config directory (Linux).",
  },
  {
    name: "APPDATA",
    area: "platform",
    scope: "ambient",
    required: "optional",
    secret: false,
    description: "User config directory (Windows).",
  },
];
