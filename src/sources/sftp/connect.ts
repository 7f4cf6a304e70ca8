/**
 * Opens one SSH connection with one SFTP channel, signing in with the configured private key and accepting the
 * server only when the key it presents is pinned in SFTP_KNOWN_HOSTS for that host and port.
 *
 * We create the TCP socket ourselves and hand it to ssh2 (`sock`), so the pool can unref it while idle: an idle
 * pooled connection must not keep a finished CLI run alive until its idle timer fires.
 *
 * ssh2 is imported on the first connection, not with this module: every CLI command loads the composition root,
 * and ssh2 would cost each one ~10 MiB of RSS it only needs for SFTP sources (issue 17, docs/upload.md "Memory").
 */
import { readFile } from "node:fs/promises";
import net from "node:net";
import type { Client, ConnectConfig, SFTPWrapper } from "ssh2";
import type { SftpConfig } from "../../config/sftp.js";
import {
  entriesFor,
  type HostKeyVerdict,
  hostName,
  judgeHostKey,
  preferredHostKeyAlgorithms,
} from "./knownHosts.js";

export interface SftpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username: string;
}

export interface SftpConnection {
  readonly client: Client;
  readonly sftp: SFTPWrapper;
  readonly socket: net.Socket;
}

/** A connection refused because of the server's host key. Carries its fingerprint, never any private key. */
export class HostKeyRefusedError extends Error {
  constructor(
    readonly endpoint: SftpEndpoint,
    readonly verdict: Exclude<HostKeyVerdict, { kind: "accepted" }>,
  ) {
    const where = hostName(endpoint.host, endpoint.port);
    const presented = `the server presented ${verdict.keyType} key ${verdict.fingerprint}`;
    const why = {
      "unknown-host": `no host key is pinned for ${where} in SFTP_KNOWN_HOSTS`,
      changed: `the host key of ${where} does not match the one pinned in SFTP_KNOWN_HOSTS (it changed, or someone is in between)`,
      revoked: `the host key of ${where} is marked @revoked in SFTP_KNOWN_HOSTS`,
    }[verdict.kind];
    super(
      `SFTP connection refused: ${why}; ${presented}. Compare it with \`ssh-keygen -lf\` on the server's ` +
        "host key before pinning it (ssh-keyscan prints the line to add).",
    );
    this.name = "HostKeyRefusedError";
  }
}

/** Any other failure to connect or sign in; names the endpoint, never the key. */
export class SftpConnectError extends Error {
  constructor(endpoint: SftpEndpoint, reason: string) {
    super(`SFTP ${endpoint.username}@${hostName(endpoint.host, endpoint.port)}: ${reason}`);
    this.name = "SftpConnectError";
  }
}

/** Host-key algorithms ssh2 supports, in its default order; pinned types are moved to the front. */
const HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
] as const;
type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

export async function openSftpConnection(
  endpoint: SftpEndpoint,
  config: SftpConfig,
): Promise<SftpConnection> {
  if (!config.privateKey)
    throw new SftpConnectError(
      endpoint,
      "no private key is configured (SFTP_PRIVATE_KEY or SFTP_PRIVATE_KEY_FILE)",
    );
  const privateKey =
    config.privateKey.kind === "inline"
      ? config.privateKey.pem
      : await readFile(config.privateKey.path, "utf8").catch(() => {
          throw new SftpConnectError(endpoint, "the file named by SFTP_PRIVATE_KEY_FILE cannot be read");
        });
  const socket = await connectSocket(endpoint, config.timeoutMs);
  const { Client: SshClient } = await import("ssh2");
  const client = new SshClient();
  let refusal: HostKeyRefusedError | undefined;
  const pinned = preferredHostKeyAlgorithms(entriesFor(config.knownHosts, endpoint.host, endpoint.port));
  const serverHostKey: HostKeyAlgorithm[] = [
    ...HOST_KEY_ALGORITHMS.filter((a) => pinned.includes(a)),
    ...HOST_KEY_ALGORITHMS.filter((a) => !pinned.includes(a)),
  ];
  const options: ConnectConfig = {
    sock: socket,
    username: endpoint.username,
    privateKey,
    ...(config.passphrase ? { passphrase: config.passphrase } : {}),
    readyTimeout: config.timeoutMs,
    keepaliveInterval: 15_000,
    algorithms: { serverHostKey },
    hostVerifier: (key: Buffer) => {
      const verdict = judgeHostKey(config.knownHosts, endpoint.host, endpoint.port, key);
      if (verdict.kind === "accepted") return true;
      refusal = new HostKeyRefusedError(endpoint, verdict);
      return false;
    },
  };
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("error", reject);
      client.connect(options);
    });
  } catch (err: unknown) {
    client.end();
    socket.destroy();
    if (refusal) throw refusal;
    throw new SftpConnectError(endpoint, describeFailure(err));
  }
  // Errors after sign-in (a reset, a keepalive timeout) surface on the next request; without a listener an
  // 'error' event would crash the process.
  client.on("error", () => socket.destroy());
  try {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, channel) => (err ? reject(err) : resolve(channel))),
    );
    return { client, sftp, socket };
  } catch (err: unknown) {
    client.end();
    throw new SftpConnectError(endpoint, `the server refused the SFTP subsystem (${describeFailure(err)})`);
  }
}

function connectSocket(endpoint: SftpEndpoint, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SftpConnectError(endpoint, `no TCP connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(new SftpConnectError(endpoint, describeFailure(err)));
    });
  });
}

/** ssh2's messages name the failing stage ("All configured authentication methods failed"); no secrets in them. */
function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/authentication methods failed/i.test(message))
    return "the server refused the private key (is its public key in the user's authorized_keys?)";
  return message;
}
