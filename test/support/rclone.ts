/**
 * Running an unmodified rclone against the emulator through its CONNECT proxy: an `onedrive` remote configured
 * entirely from environment variables (no user config is read), the emulator's dev token with a far expiry (so
 * rclone never tries to refresh it), HTTPS_PROXY pointing at the proxy and SSL_CERT_FILE at the local CA. The
 * environment is built by bench/wan/rclone.ts, which the WAN benchmark shares.
 */
import { execFile } from "node:child_process";
import { rcloneEnvFor } from "../../bench/wan/rclone.js";
import type { RunningEmulator } from "../../src/emulator/index.js";

export { RCLONE_REMOTE } from "../../bench/wan/rclone.js";

export function rcloneEnv(emu: RunningEmulator, driveId: string, home: string): NodeJS.ProcessEnv {
  return rcloneEnvFor({ proxyUrl: emu.proxyUrl, caPath: emu.tls?.caPath }, driveId, home);
}

export interface RcloneRun {
  readonly code: number;
  /** rclone's log (stderr), for failure messages. Holds the dev token only, never a real secret. */
  readonly log: string;
}

export function runRclone(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RcloneRun> {
  return new Promise((resolve, reject) => {
    execFile(
      "rclone",
      [...args, "-v", "--retries", "1", "--low-level-retries", "1"],
      { env, timeout: 120_000 },
      (err, _stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(err);
        resolve({ code: typeof err?.code === "number" ? err.code : 0, log: stderr });
      },
    );
  });
}
