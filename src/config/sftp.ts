/**
 * Settings of `sftp` sources: the private key graph-mirror signs in with, the pinned host keys, and the
 * connection pool's bounds. Parsed once and passed in (libraries never read process.env).
 *
 * Closed by default: with no SFTP_KNOWN_HOSTS no server is trusted, so no sftp source can be read, and an HTTP
 * request can only name a host whose key an administrator pinned. The private key is a secret: in Azure a Key
 * Vault reference; it is never echoed in an error (ConfigError names the setting and the rule only).
 */

import { ConfigError, type FieldProblem, wholeNumberSetting } from "../core/shared/validationError.js";
import { type KnownHostEntry, KnownHostsSyntaxError, parseKnownHosts } from "../sources/sftp/knownHosts.js";
import type { Env } from "./auth.js";

export type SftpPrivateKey =
  | { readonly kind: "inline"; readonly pem: string }
  | { readonly kind: "file"; readonly path: string };

export interface SftpConfig {
  /** Absent when neither SFTP_PRIVATE_KEY nor SFTP_PRIVATE_KEY_FILE is set: sftp sources then fail clearly. */
  readonly privateKey?: SftpPrivateKey;
  readonly passphrase?: string;
  readonly knownHosts: readonly KnownHostEntry[];
  /** Most open connections per server and user (each carries one SFTP channel). */
  readonly maxConnections: number;
  /** An unused connection is closed after this long. */
  readonly idleMs: number;
  /** Deadline for connecting (TCP, key exchange, sign-in) and for each SFTP request. */
  readonly timeoutMs: number;
}

export const SFTP_DEFAULTS = { maxConnections: 4, idleSeconds: 30, timeoutSeconds: 30 } as const;

export function parseSftpConfig(env: Env): SftpConfig {
  const problems: FieldProblem[] = [];
  const inline = env.SFTP_PRIVATE_KEY?.trim();
  const file = env.SFTP_PRIVATE_KEY_FILE?.trim();
  let privateKey: SftpPrivateKey | undefined;
  if (inline && file)
    problems.push({ field: "SFTP_PRIVATE_KEY", rule: "must not be set together with SFTP_PRIVATE_KEY_FILE" });
  else if (inline) {
    // One-line app settings (and Key Vault secrets pasted as one line) carry "\n" literally.
    const pem = inline.replaceAll("\\n", "\n");
    if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
      problems.push({
        field: "SFTP_PRIVATE_KEY",
        rule: "must be a PEM or OpenSSH private key (starting with -----BEGIN ... PRIVATE KEY-----)",
      });
    else privateKey = { kind: "inline", pem: `${pem}\n` };
  } else if (file) privateKey = { kind: "file", path: file };

  let knownHosts: KnownHostEntry[] = [];
  try {
    knownHosts = parseKnownHosts(env.SFTP_KNOWN_HOSTS ?? "");
  } catch (err: unknown) {
    if (!(err instanceof KnownHostsSyntaxError)) throw err;
    problems.push({ field: "SFTP_KNOWN_HOSTS", rule: `must be known_hosts lines: ${err.message}` });
  }
  const passphrase = env.SFTP_PRIVATE_KEY_PASSPHRASE || undefined;
  const maxConnections = wholeNumberSetting(
    env.SFTP_MAX_CONNECTIONS,
    "SFTP_MAX_CONNECTIONS",
    SFTP_DEFAULTS.maxConnections,
    1,
    64,
    problems,
  );
  const idleSeconds = wholeNumberSetting(
    env.SFTP_IDLE_SECONDS,
    "SFTP_IDLE_SECONDS",
    SFTP_DEFAULTS.idleSeconds,
    1,
    3600,
    problems,
  );
  const timeoutSeconds = wholeNumberSetting(
    env.SFTP_TIMEOUT_SECONDS,
    "SFTP_TIMEOUT_SECONDS",
    SFTP_DEFAULTS.timeoutSeconds,
    1,
    600,
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(privateKey ? { privateKey } : {}),
    ...(passphrase ? { passphrase } : {}),
    knownHosts,
    maxConnections,
    idleMs: idleSeconds * 1000,
    timeoutMs: timeoutSeconds * 1000,
  };
}
