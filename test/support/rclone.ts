/**
 * Running an unmodified rclone against the emulator through its CONNECT proxy: an `onedrive` remote configured
 * entirely from environment variables (no user config is read), the emulator's dev token with a far expiry (so
 * rclone never tries to refresh it), HTTPS_PROXY pointing at the proxy and SSL_CERT_FILE at the local CA.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { DEFAULT_TOKEN, type RunningEmulator } from "../../src/emulator/index.js";

export const RCLONE_REMOTE = "emu";

export function rcloneEnv(emu: RunningEmulator, driveId: string, home: string): NodeJS.ProcessEnv {
  if (!emu.proxyUrl || !emu.tls) throw new Error("rclone needs the emulator's proxy and HTTPS");
  const prefix = `RCLONE_CONFIG_${RCLONE_REMOTE.toUpperCase()}_`;
  return {
    PATH: process.env.PATH ?? "",
    HOME: home,
    // An empty config file of our own: never the developer's.
    RCLONE_CONFIG: path.join(home, "rclone.conf"),
    [`${prefix}TYPE`]: "onedrive",
    [`${prefix}DRIVE_ID`]: driveId,
    [`${prefix}DRIVE_TYPE`]: "business",
    [`${prefix}TOKEN`]: JSON.stringify({
      access_token: DEFAULT_TOKEN,
      token_type: "Bearer",
      expiry: "2099-01-01T00:00:00Z",
    }),
    HTTPS_PROXY: emu.proxyUrl,
    // Go reads the trusted roots from this file instead of the system's: only the local CA is trusted.
    SSL_CERT_FILE: emu.tls.caPath,
  };
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
