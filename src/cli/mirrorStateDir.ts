/**
 * Where `graph-mirror mirror` keeps, and `graph-mirror status` reads, the state of a set of mirror definitions
 * (issue 15 item 8). One machine-wide folder mixed the runs and manifests of every definitions set on the
 * machine; like rclone bisync (one state file per path pair under its cache folder), each definitions set now
 * gets its own folder:
 * 1. `--state-dir`, else `MIRROR_STATE_DIR`: exactly that folder;
 * 2. else `$XDG_STATE_HOME/graph-mirror/mirrors/<key>` (`~/.local/state/...` without XDG_STATE_HOME), where the
 *    key is the MIRRORS_FILE's name and a hash of its absolute path (editing the file keeps its state), or, for
 *    inline MIRRORS, a hash of the mirror names (the manifest is kept per mirror name, so other edits keep it).
 * State written by earlier versions in `.../graph-mirror/` itself is still found (see legacyStateDir).
 */
import { createHash } from "node:crypto";
import { access, mkdir, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Env } from "../config/auth.js";
import type { MirrorDefinitions } from "../mirror/definitions.js";
import type { MirrorSettings } from "../mirror/settings.js";

export const STATE_FILE = "mirror-state.json";
export const JOBS_FILE = "mirror-jobs.json";

/** `--state-dir` or `MIRROR_STATE_DIR`, when either is given (the option wins, as options do over settings). */
export function explicitStateDir(option: string | undefined, env: Env): string | undefined {
  const chosen = option?.trim() || env.MIRROR_STATE_DIR?.trim();
  return chosen ? path.resolve(chosen) : undefined;
}

/** The per-definitions folder under the user's state folder. */
export function derivedStateDir(env: Env, settings: MirrorSettings, definitions: MirrorDefinitions): string {
  return path.join(legacyStateDir(env), "mirrors", definitionsKey(settings, definitions));
}

/** The one folder every definitions set shared before issue 15; still read, and moved on the next mirror run. */
export function legacyStateDir(env: Env): string {
  const base = env.XDG_STATE_HOME?.trim() || path.join(os.homedir(), ".local", "state");
  return path.join(base, "graph-mirror");
}

function definitionsKey(settings: MirrorSettings, definitions: MirrorDefinitions): string {
  if (settings.mirrorsFile) {
    const file = path.resolve(settings.mirrorsFile);
    // A readable name for people listing the folder; the hash keeps two mirrors.json in different folders apart.
    const name = path
      .basename(file, path.extname(file))
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .slice(0, 40);
    return `${name || "mirrors"}-${shortHash(file)}`;
  }
  const names = [...definitions.valid.map((m) => m.name), ...definitions.invalid.map((m) => m.mirror)];
  return `inline-${shortHash([...new Set(names)].sort().join("\n"))}`;
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The folder to read: the derived one, or the legacy shared folder when only it holds state (an upgrade that
 * has not run `mirror` yet). `notice` says so, for stderr.
 */
export async function stateDirToRead(
  derived: string,
  env: Env,
): Promise<{ readonly dir: string; readonly notice?: string }> {
  const legacy = legacyStateDir(env);
  if (!(await exists(path.join(derived, STATE_FILE))) && (await exists(path.join(legacy, STATE_FILE)))) {
    return {
      dir: legacy,
      notice: `reading the shared state folder of earlier versions (${legacy}); the next \`graph-mirror mirror\` moves it to ${derived}`,
    };
  }
  return { dir: derived };
}

/**
 * Before a mirror run: when only the legacy shared folder holds state, its files move to the derived folder, so
 * an upgrade keeps its manifest (no re-uploads) and resumes its unfinished jobs. The first definitions set run
 * after the upgrade takes them; rename is atomic, so a second one starts fresh rather than half-claimed.
 */
export async function claimLegacyState(derived: string, env: Env): Promise<string | undefined> {
  const legacy = legacyStateDir(env);
  if (await exists(path.join(derived, STATE_FILE))) return undefined;
  if (!(await exists(path.join(legacy, STATE_FILE)))) return undefined;
  await mkdir(derived, { recursive: true, mode: 0o700 });
  await rename(path.join(legacy, STATE_FILE), path.join(derived, STATE_FILE));
  if (await exists(path.join(legacy, JOBS_FILE)))
    await rename(path.join(legacy, JOBS_FILE), path.join(derived, JOBS_FILE));
  return `moved the shared state of earlier versions from ${legacy} to ${derived}`;
}
