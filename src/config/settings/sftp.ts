/**
 * SFTP source settings, read by src/config/sftp.ts (docs/sftp.md).
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

export const SFTP_SETTINGS: readonly SettingInfo[] = [
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
];
