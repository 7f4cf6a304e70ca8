/**
 * Asks rclone to refresh a remote that uses rclone's own app (no client_id): only rclone holds that app's
 * credentials, and rclone refreshes the token and saves its own config whenever it runs a command against the
 * remote. `rclone about <remote>:` is a cheap such command (one quota request). graph-mirror then re-reads the
 * file; it never writes rclone.conf itself.
 */
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import type { RcloneSettings } from "../../config/auth.js";
import { redactSecrets } from "../../core/shared/redact.js";

const RUN_TIMEOUT_MS = 60_000;

/** The rclone to run: RCLONE_BINARY when set, else the first executable `rclone` on PATH, else undefined. */
export async function findRclone(settings: RcloneSettings): Promise<string | undefined> {
  if (settings.binary) return settings.binary;
  const names = process.platform === "win32" ? ["rclone.exe", "rclone"] : ["rclone"];
  for (const dir of settings.searchPath) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here: keep looking, as a shell would
      }
    }
  }
  return undefined;
}

export class RcloneRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RcloneRunError";
  }
}

/**
 * Runs `rclone about <remote>: --config <file>`. Resolves when rclone exits 0; otherwise rejects with rclone's
 * last line of stderr (rclone does not print tokens there; redacted anyway).
 */
export function runRcloneAbout(
  binary: string,
  remote: string,
  file: string,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      ["about", `${remote}:`, "--config", file],
      { timeout: RUN_TIMEOUT_MS, maxBuffer: 1024 * 1024, windowsHide: true, ...(signal ? { signal } : {}) },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const lastLine = String(stderr).trim().split("\n").pop()?.trim();
        const why = lastLine ? redactSecrets(lastLine).slice(0, 300) : err.message;
        reject(new RcloneRunError(`\`rclone about ${remote}:\` failed: ${why}`));
      },
    );
  });
}
