/**
 * Every environment setting graph-mirror reads, in one list: its name, whether it must be set, whether it holds a
 * secret, and what it does. The parsers in src/config (and src/mirror/settings.ts, src/localhost/settings.ts) stay
 * the source of truth for defaults and validation; this list exists so the deployment (infra/main.bicep), the
 * runbook (docs/runbook.md) and local.settings.sample.json can be checked against the code.
 * test/unit/infra/settingsCatalog.test.ts runs the parsers (its PARSERS list: add a new parser there) with a
 * recording environment and fails when one of them reads a setting that is missing here, or when an entry here is
 * read by none of them; test/unit/infra/appSettings.test.ts then requires every `app` setting to be set by the
 * template or listed in docs/runbook.md "Settings". Add a line when you add a setting.
 */

export type SettingArea =
  | "auth"
  | "graph"
  | "storage"
  | "pipeline"
  | "http-api"
  | "sftp"
  | "mirror"
  | "platform";

/**
 * Who reads it: the Functions app in Azure (`app`), the command line and local runs only (`local`), or the
 * operating system and the Functions platform, which set it themselves (`ambient`).
 */
export type SettingScope = "app" | "local" | "ambient";

export interface SettingInfo {
  readonly name: string;
  readonly area: SettingArea;
  readonly scope: SettingScope;
  /**
   * `always`: the app does not start without it (or one of `satisfiedBy`); `conditional`: required in some
   * modes (see the description); `optional`: has a default or is off when absent.
   */
  readonly required: "always" | "conditional" | "optional";
  /** Settings that stand in for this one (the identity-based forms of AzureWebJobsStorage). */
  readonly satisfiedBy?: readonly string[];
  /** Holds a credential: in Azure it must be a Key Vault reference, never a literal value. */
  readonly secret: boolean;
  readonly description: string;
}

const STORAGE_IDENTITY = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "AzureWebJobsStorage__tableServiceUri",
];

export const SETTINGS: readonly SettingInfo[] = [
  // Authentication (src/config/auth.ts)
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
  // Graph and uploads (src/config/graph.ts)
  {
    name: "GRAPH_BASE_URL",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "Graph endpoint; its origin is also the token audience. Default: the GRAPH_CLOUD's, https://graph.microsoft.com/v1.0 for global; http only for loopback (the emulator).",
  },
  {
    name: "CHUNK_SIZE",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "Upload chunk size, a multiple of 320 KiB under 60 MiB. Default: sized to the link from 10MiB.",
  },
  {
    name: "SIMPLE_UPLOAD_MAX",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Files up to this size go by simple upload. Default 4MiB.",
  },
  {
    name: "GRAPH_REQUEST_TIMEOUT_MS",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Deadline of every Graph request in ms, 1000-600000. Default 120000.",
  },
  // Storage (src/config/storage.ts)
  {
    name: "AzureWebJobsStorage",
    area: "storage",
    scope: "app",
    required: "always",
    satisfiedBy: STORAGE_IDENTITY,
    secret: true,
    description:
      "Storage connection string (UseDevelopmentStorage=true for Azurite). In Azure use the identity-based AzureWebJobsStorage__* settings instead.",
  },
  {
    name: "AzureWebJobsStorage__accountName",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Storage account name for identity-based access (public cloud endpoints).",
  },
  {
    name: "AzureWebJobsStorage__blobServiceUri",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "Blob endpoint for identity-based access; with the queue and table URIs, replaces accountName.",
  },
  {
    name: "AzureWebJobsStorage__queueServiceUri",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Queue endpoint for identity-based access.",
  },
  {
    name: "AzureWebJobsStorage__tableServiceUri",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Table endpoint for identity-based access.",
  },
  {
    name: "AzureWebJobsStorage__credential",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "managedidentity for identity-based access.",
  },
  {
    name: "AzureWebJobsStorage__clientId",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Client id of the user-assigned identity for storage; absent = system-assigned.",
  },
  {
    name: "JOBS_TABLE",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Job table. Default uploadjobs.",
  },
  {
    name: "THROTTLE_TABLE",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Per-drive throttle table. Default drivethrottle.",
  },
  {
    name: "WAKE_QUEUE",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Queue that wakes the step function (poison queue: <name>-poison). Default upload-steps.",
  },
  // Pipeline timing (src/config/pipeline.ts)
  {
    name: "STEP_DEADLINE_SECONDS",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Deadline of one step, 5-480 s. Default 120.",
  },
  {
    name: "LEASE_MARGIN_SECONDS",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "A worker's lease on a job lasts the step deadline plus this margin (time to write the result), 1-60 s. Default 60.",
  },
  {
    name: "SWEEP_GRACE_SECONDS",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description: "The sweeper re-wakes a job this far overdue, 10-86400 s. Default 120.",
  },
  {
    name: "SWEEP_BATCH",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Most jobs one sweeper run re-wakes, 1-1000. Default 200.",
  },
  // HTTP API (src/config/httpApi.ts)
  {
    name: "ALLOWED_FILE_ROOTS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Absolute directories file sources may lie under. Default none (file sources refused).",
  },
  {
    name: "ALLOWED_BLOB_CONTAINERS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Blob containers blob sources may name. Default none (blob sources refused).",
  },
  {
    name: "URL_SOURCE_ALLOWED_NETWORKS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Private networks URL sources may reach (CIDR list). Default none.",
  },
  {
    name: "STAGING_CONTAINER",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Container octet-stream bodies are staged in. Default graph-mirror-staging.",
  },
  {
    name: "STAGING_MAX_BYTES",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Largest octet-stream body in bytes. Default 107374182400 (100 GiB).",
  },
  {
    name: "STAGING_TIMEOUT_SECONDS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Deadline for receiving an octet-stream body. Default 220.",
  },
  {
    name: "HTTP_JSON_MAX_BYTES",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Largest JSON request body in bytes. Default 65536.",
  },
  {
    name: "API_AUTH",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "functionKey (default): the upload routes need the function key only. entra: the platform's built-in authentication (Easy Auth) validates a Microsoft Entra ID token; POST and DELETE need the app role Uploads.Write, GET Uploads.Read, and the caller (oid:/appid:) is recorded in the jobs, the status answer and history.",
  },
  // SFTP sources (src/config/sftp.ts)
  {
    name: "SFTP_PRIVATE_KEY",
    area: "sftp",
    scope: "app",
    required: "optional",
    secret: true,
    description:
      "Private key (OpenSSH or PEM text) that sftp sources sign in with. In Azure a Key Vault reference. Not together with SFTP_PRIVATE_KEY_FILE.",
  },
  {
    name: "SFTP_PRIVATE_KEY_FILE",
    area: "sftp",
    scope: "local",
    required: "optional",
    secret: false,
    description: "File holding the private key for sftp sources (local runs).",
  },
  {
    name: "SFTP_PRIVATE_KEY_PASSPHRASE",
    area: "sftp",
    scope: "app",
    required: "optional",
    secret: true,
    description: "Passphrase of an encrypted SFTP private key. In Azure a Key Vault reference.",
  },
  {
    name: "SFTP_KNOWN_HOSTS",
    area: "sftp",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "known_hosts lines pinning each SFTP server's host key (ssh-keyscan output). Default none: sftp sources refused.",
  },
  {
    name: "SFTP_MAX_CONNECTIONS",
    area: "sftp",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Most SFTP connections per server and user, 1-64. Default 4.",
  },
  {
    name: "SFTP_IDLE_SECONDS",
    area: "sftp",
    scope: "app",
    required: "optional",
    secret: false,
    description: "An unused SFTP connection is closed after this long, 1-3600 s. Default 30.",
  },
  {
    name: "SFTP_TIMEOUT_SECONDS",
    area: "sftp",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Deadline for connecting to an SFTP server, 1-600 s. Default 30.",
  },
  // Local runs only (src/localhost/settings.ts)
  {
    name: "PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "HTTP port of the functions in local runs (graph-mirror start, the built-in local host); 0 picks a free port. Default 7071.",
  },
  {
    name: "LOCALHOST_MESSAGE_LEASE_SECONDS",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "Built-in local host: how long a received queue message stays invisible while its function runs (renewed at half), 5-600 s. Default 60.",
  },
  {
    name: "AZURITE_BLOB_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: blob port of the Azurite it reuses or starts. Default 10000.",
  },
  {
    name: "AZURITE_QUEUE_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: queue port of the Azurite it reuses or starts. Default 10001.",
  },
  {
    name: "AZURITE_TABLE_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: table port of the Azurite it reuses or starts. Default 10002.",
  },
  {
    name: "EMULATOR_GRAPH_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "graph-mirror start: Graph port of the Graph emulator (control API at /_emulator/). Default 10010.",
  },
  {
    name: "EMULATOR_UPLOAD_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: upload-URL port of the Graph emulator. Default 10011.",
  },
  {
    name: "EMULATOR_HTTPS",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "graph-mirror start: true serves the Graph emulator over HTTPS with a local CA kept in <data dir>/.local/emulator/tls (docs/emulator.md). Default false.",
  },
  {
    name: "LOCAL_DEV_PRINCIPAL",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      'Built-in local host only: a JSON principal ({"oid": "...", "appid": "...", "roles": ["Uploads.Write"]}) the host passes to the functions as x-ms-client-principal, playing Easy Auth\'s part (docs/local-development.md). Unset: a client-supplied x-ms-client-principal is removed, as Easy Auth does.',
  },
  // Mirrors (src/mirror/settings.ts)
  {
    name: "MIRRORS",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      'Mirror definitions as JSON (a list, or {"mirrors": [...]}). Not together with MIRRORS_FILE.',
  },
  {
    name: "MIRRORS_FILE",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description: "File holding the mirror definitions.",
  },
  {
    name: "MIRROR_SCHEDULE",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description: "NCRONTAB (six fields) of the mirror timer. Default 0 0 * * * * (hourly).",
  },
  {
    name: "MIRROR_RESOLVE_TTL",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Seconds a resolved site/drive id is reused. Default 3600.",
  },
];

export function settingInfo(name: string): SettingInfo | undefined {
  return SETTINGS.find((setting) => setting.name === name);
}
