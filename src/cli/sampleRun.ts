/**
 * Runs the bundled sample mirror (src/mirror/sample.ts) in this process, like `graph-mirror mirror --once`,
 * with progress bars. In src/cli because it drives the CLI's mirror command; the sample's files and settings
 * stay in src/mirror/sample.ts.
 */
import type { Env } from "../config/auth.js";
import { defaultSampleDir, ensureSampleFiles, sampleMirrorEnv } from "../mirror/sample.js";
import { mirrorCommand } from "./commands/mirror.js";

export interface SampleRunOptions {
  /** The emulator's Graph URL, e.g. `http://127.0.0.1:4000/v1.0`. */
  readonly graphBaseUrl: string;
  /** A token the emulator accepts (DEFAULT_TOKEN). */
  readonly token: string;
  readonly stateDir: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly signal: AbortSignal;
  readonly sampleDir?: string;
  readonly json?: boolean;
}

/** Runs the sample mirror once in this process; prints progress and where each file landed. Exit status. */
export async function runSampleMirror(options: SampleRunOptions): Promise<number> {
  const sampleDir = options.sampleDir ?? defaultSampleDir();
  await ensureSampleFiles(sampleDir);
  const env: Env = {
    GRAPH_BASE_URL: options.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: options.token,
    ...sampleMirrorEnv(sampleDir),
  };
  // The sample's definitions are in env (MIRRORS): the mirror command reads them through the root's loadConfig.
  return mirrorCommand(
    { once: true, parallel: "4", stateDir: options.stateDir, ...(options.json ? { json: true } : {}) },
    { env, stdout: options.stdout, stderr: options.stderr, signal: options.signal },
  );
}
