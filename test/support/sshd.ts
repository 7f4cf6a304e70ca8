/**
 * A real OpenSSH server for tests: a throwaway host key and user key made with ssh-keygen, an sshd_config that
 * listens on a free loopback port and accepts only that user key for the current user, and `sshd -D -e` as a
 * child process, killed by {@link RunningSshd.stop}. SFTP is OpenSSH's own internal-sftp. `.ci/run` installs
 * Debian's openssh-server; sshd must be at /usr/sbin/sshd (it refuses to re-exec from a relative path).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const SSHD = "/usr/sbin/sshd";

export interface RunningSshd {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly username: string;
  /** The user's private key (OpenSSH format), as SFTP_PRIVATE_KEY would hold it. */
  readonly privateKey: string;
  /** A known_hosts line pinning the server's real host key, as SFTP_KNOWN_HOSTS would hold it. */
  readonly knownHostsLine: string;
  /** `SHA256:...` of the server's host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** A directory for the files the tests serve (absolute paths on the server, which is this machine). */
  readonly files: string;
  /** Where keys and config live (for tests that need another key). */
  readonly dir: string;
  /** sshd's log so far (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<RunningSshd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gm-sshd-"));
  const files = path.join(dir, "files");
  await mkdir(files);
  // Privilege separation needs this directory when sshd runs as root (Debian creates it at boot only).
  if (process.getuid?.() === 0) await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, "host_ed25519");
  const userKey = path.join(dir, "user_ed25519");
  await keygen(hostKey);
  await keygen(userKey);
  await writeFile(path.join(dir, "authorized_keys"), await readFile(`${userKey}.pub`), { mode: 0o600 });
  const port = await freePort();
  const config = path.join(dir, "sshd_config");
  await writeFile(
    config,
    [
      "ListenAddress 127.0.0.1",
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "StrictModes no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      // Tests open several connections at once (the pool bound test): do not throttle them.
      "MaxStartups 50",
      "Subsystem sftp internal-sftp",
      "LogLevel INFO",
      "",
    ].join("\n"),
  );
  const child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString("utf8");
  });
  await waitForListening(child, () => log, port);
  const hostPub = (await readFile(`${hostKey}.pub`, "utf8")).trim().split(/\s+/);
  const fingerprint = (await run("ssh-keygen", ["-lf", `${hostKey}.pub`])).stdout.split(/\s+/)[1] ?? "";
  return {
    host: "127.0.0.1",
    port,
    username: os.userInfo().username,
    privateKey: await readFile(userKey, "utf8"),
    knownHostsLine: `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}`,
    hostKeyFingerprint: fingerprint,
    files,
    dir,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh ed25519 key pair without passphrase (`<file>` and `<file>.pub`). */
export async function keygen(file: string): Promise<void> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "graph-mirror-test", "-f", file]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** sshd prints "Server listening on 127.0.0.1 port N." once it accepts connections. */
async function waitForListening(child: ChildProcess, log: () => string, port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (log().includes(`port ${port}`)) return;
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`sshd did not start listening on ${port}: ${log()}`);
}
