/**
 * Where per-user files live when no setting names them: graph-mirror's own token.json and the rclone.conf rclone
 * would use (docs/auth.md "Delegated"). Pure functions of the environment; whether a file exists is asked by the
 * caller.
 */
import path from "node:path";
import { nonEmpty } from "./fields.js";
import type { Env } from "./types.js";

/** Where graph-mirror keeps per-user files: `$XDG_CONFIG_HOME`, `%APPDATA%`, else `~/.config`. */
export function userConfigDir(env: Env): string | undefined {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg) return xdg;
  const appData = nonEmpty(env.APPDATA);
  if (appData) return appData;
  const home = homeDir(env);
  return home ? path.join(home, ".config") : undefined;
}

export function defaultTokenFile(env: Env): string | undefined {
  const dir = userConfigDir(env);
  return dir ? path.join(dir, "graph-mirror", "token.json") : undefined;
}

/**
 * Where rclone looks for its config when `RCLONE_CONFIG` is not set (rclone fs/config: the legacy
 * `~/.rclone.conf` if it exists, else `$XDG_CONFIG_HOME/rclone/rclone.conf`, else `~/.config/rclone/rclone.conf`;
 * `%APPDATA%\rclone\rclone.conf` on Windows).
 */
export function defaultRcloneConfigCandidates(env: Env): string[] {
  const home = homeDir(env);
  const candidates: string[] = [];
  if (home) candidates.push(path.join(home, ".rclone.conf"));
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg) candidates.push(path.join(xdg, "rclone", "rclone.conf"));
  const appData = nonEmpty(env.APPDATA);
  if (appData) candidates.push(path.join(appData, "rclone", "rclone.conf"));
  if (home) candidates.push(path.join(home, ".config", "rclone", "rclone.conf"));
  return candidates;
}

function homeDir(env: Env): string | undefined {
  return nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE);
}
