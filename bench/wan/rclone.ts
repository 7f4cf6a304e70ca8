/**
 * rclone as a client of the emulator (issue 17 item 5; docs/emulator.md "The CONNECT proxy"): an unmodified
 * rclone with an `onedrive` remote configured entirely from environment variables (no user config is read), the
 * emulator's dev token with a far expiry (so it never tries to refresh), HTTPS_PROXY at the emulator's CONNECT
 * proxy and SSL_CERT_FILE at its local CA. Shared by the WAN bench and test/support/rclone.ts.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { DEFAULT_TOKEN } from "../../src/emulator/index.js";

export const RCLONE_REMOTE = "emu";

/** What rclone needs from a running emulator: its proxy and the CA file to trust. */
export interface RcloneReach {
  readonly proxyUrl?: string | undefined;
  readonly caPath?: string | undefined;
}

export function rcloneEnvFor(emu: RcloneReach, driveId: string, home: string): NodeJS.ProcessEnv {
  if (!emu.proxyUrl || !emu.caPath) throw new Error("rclone needs the emulator's proxy and HTTPS");
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
    SSL_CERT_FILE: emu.caPath,
  };
}

/** `rclone version` runs: the bench compares against rclone only then. */
export function rcloneInstalled(): boolean {
  return spawnSync("rclone", ["version"], { stdio: "ignore" }).status === 0;
}
