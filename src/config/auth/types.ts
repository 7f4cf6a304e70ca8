/**
 * The authentication configuration's types (docs/auth.md): one mode, never a chain, and what each mode needs.
 * Kept apart from src/config/auth.ts so the per-mode parsers in this folder can name them without importing the
 * module that assembles them.
 */
import type { CloudSettings } from "../authCloud.js";

export const AUTH_MODES = [
  "client-secret",
  "client-certificate",
  "managed-identity",
  "workload-identity",
  "static-token",
  "delegated",
] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Scopes `graph-mirror login` asks for unless `AUTH_LOGIN_SCOPES` says otherwise. */
export const DEFAULT_LOGIN_SCOPES = [
  "Files.ReadWrite.All",
  "Sites.Manage.All",
  "User.Read",
  "offline_access",
];

/** What every mode carries. */
export interface AuthCommon {
  readonly cloud: CloudSettings;
  /** Why this mode: `AUTH_MODE=...` or the setting it was inferred from. Shown by `graph-mirror auth status`. */
  readonly selectedBy: string;
}

export interface RcloneSettings {
  /** `RCLONE_CONFIG` when set, else the places rclone looks, first existing wins (see docs/auth.md). */
  readonly configCandidates: readonly string[];
  readonly explicitConfig: boolean;
  /** `RCLONE_REMOTE`; when absent, the first `type = onedrive` remote. */
  readonly remote?: string;
  /** `RCLONE_CONFIG_PASS`, for configs that start with `RCLONE_ENCRYPT_V0:`. */
  readonly password?: string;
  /**
   * `RCLONE_BINARY`: the rclone to run when a remote on rclone's own app has expired (rclone refreshes and saves
   * its own config). When absent, `rclone` is looked up in {@link searchPath} at that moment.
   */
  readonly binary?: string;
  /** The directories of `PATH`, where `rclone` is looked for. */
  readonly searchPath: readonly string[];
}

export type AuthConfig =
  | (AuthCommon & { readonly mode: "none" })
  | (AuthCommon & { readonly mode: "static-token"; readonly token: string })
  | (AuthCommon & {
      readonly mode: "client-secret";
      readonly tenantId: string;
      readonly clientId: string;
      readonly clientSecret: string;
    })
  | (AuthCommon & {
      readonly mode: "client-certificate";
      readonly tenantId: string;
      readonly clientId: string;
      /** A PEM file (certificate and private key), or the PEM text itself. */
      readonly certificate: { readonly path: string } | { readonly pem: string };
      readonly certificatePassword?: string;
      /** Send the x5c chain (subject name / issuer authentication). */
      readonly sendCertificateChain: boolean;
    })
  | (AuthCommon & {
      readonly mode: "managed-identity";
      /** User-assigned identity's client id; absent means the system-assigned identity. */
      readonly clientId?: string;
    })
  | (AuthCommon & {
      readonly mode: "workload-identity";
      readonly tenantId: string;
      readonly clientId: string;
      readonly tokenFilePath: string;
    })
  | (AuthCommon & {
      readonly mode: "delegated";
      readonly tokenFile: string;
      readonly rclone: RcloneSettings;
      /** Public (or confidential) client used to refresh token.json when the file does not name one. */
      readonly clientId?: string;
      readonly tenantId?: string;
      /** Only for a confidential delegated client; public clients refresh without a secret. */
      readonly clientSecret?: string;
      readonly loginScopes: readonly string[];
    });

export type Env = Readonly<Record<string, string | undefined>>;

/** Injected so tests decide whether default token.json / rclone.conf locations "exist". */
export interface AuthConfigProbe {
  exists(file: string): boolean;
}
