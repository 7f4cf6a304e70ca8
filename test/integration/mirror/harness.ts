/**
 * A mirror world for integration tests: the Graph emulator on free ports, a temporary source folder under an
 * allowed root, a temporary state folder, and `run()` executing mirror definitions through the same code as
 * `graph-mirror mirror` (pass, then in-process uploads with the engine).
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { assertSharingAllowed } from "../../../src/auth/sharingGate.js";
import { StaticTokenProvider } from "../../../src/auth/staticToken.js";
import { type LocalMirrorResult, runLocalMirror } from "../../../src/cli/localRun.js";
import type { ProgressReporter } from "../../../src/cli/progress/reporter.js";
import { systemClock } from "../../../src/core/ports/common.js";
import type { DriveDirectory } from "../../../src/core/ports/mirror.js";
import type { EngineDeps } from "../../../src/core/upload/engine.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import {
  DEFAULT_TOKEN,
  type EmulatorLimits,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { GraphClient } from "../../../src/graph/client.js";
import { GraphHttp } from "../../../src/graph/http.js";
import { validateMirrors } from "../../../src/mirror/definitions.js";
import { GraphDriveDirectory } from "../../../src/mirror/graphDirectory.js";
import type { MirrorLogEvent } from "../../../src/mirror/mirrorLog.js";
import { createSourceOpener } from "../../../src/sources/opener.js";
import { FileMirrorState } from "../../../src/store/manifestFile.js";

export const silentReporter: ProgressReporter = { resumed() {}, events() {}, close() {} };

export interface MirrorWorld {
  readonly emu: RunningEmulator;
  readonly root: string;
  readonly source: string;
  readonly stateDir: string;
  readonly logs: MirrorLogEvent[];
  /**
   * The `If-Match` of every delete the mirror sent, in order (the emulator's request log keeps no headers, and
   * the emulator does not check If-Match, so this is how a test sees which tag a delete was conditional on).
   */
  readonly deleteIfMatch: (string | undefined)[];
  write(relative: string, content: string | Buffer, mtimeMs?: number): Promise<void>;
  run(
    mirrors: readonly unknown[],
    options?: { dryRun?: boolean; token?: string; reporter?: ProgressReporter; signal?: AbortSignal },
  ): Promise<LocalMirrorResult>;
  state(): Promise<FileMirrorState>;
  /** Graph requests that change something (everything but GET). */
  writes(): { method: string; route: string; status: number }[];
  close(): Promise<void>;
}

export async function startMirrorWorld(limits: Partial<EmulatorLimits> = {}): Promise<MirrorWorld> {
  const emu = await startEmulator({ limits });
  const root = await mkdtemp(path.join(os.tmpdir(), "gm-mirror-"));
  const source = path.join(root, "src");
  const stateDir = path.join(root, "state");
  await mkdir(source, { recursive: true });
  const logs: MirrorLogEvent[] = [];
  const deleteIfMatch: (string | undefined)[] = [];
  let clock = 1_700_000_000_000;
  return {
    emu,
    root,
    source,
    stateDir,
    logs,
    deleteIfMatch,
    async write(relative, content, mtimeMs) {
      const file = path.join(source, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      clock += 1000;
      const time = new Date(mtimeMs ?? clock);
      await utimes(file, time, time);
    },
    async run(mirrors, options = {}) {
      const tokens = new StaticTokenProvider(options.token ?? DEFAULT_TOKEN);
      const requestTimeoutMs = 20_000;
      const engine: EngineDeps = {
        graph: new GraphClient({ baseUrl: emu.graphBaseUrl, tokens, requestTimeoutMs }),
        sources: createSourceOpener({ requestTimeoutMs }),
        clock: systemClock,
        random: () => 0.5,
        policy: DEFAULT_POLICY,
      };
      const http = new GraphHttp({ baseUrl: emu.graphBaseUrl, tokens, requestTimeoutMs });
      const graphDirectory = new GraphDriveDirectory(http, (signal) => assertSharingAllowed(tokens, signal));
      const directory: DriveDirectory = {
        sharing: graphDirectory.sharing,
        resolveDrive: (destination, signal) => graphDirectory.resolveDrive(destination, signal),
        getItemByPath: (driveId, itemPath, signal) => graphDirectory.getItemByPath(driveId, itemPath, signal),
        createFolder: (driveId, parent, name, signal) =>
          graphDirectory.createFolder(driveId, parent, name, signal),
        deleteItem: (driveId, itemId, ifMatch, signal) => {
          deleteIfMatch.push(ifMatch);
          return graphDirectory.deleteItem(driveId, itemId, ifMatch, signal);
        },
      };
      return runLocalMirror({
        definitions: validateMirrors(mirrors, { allowedFileRoots: [root], settingName: "MIRRORS" }),
        engine,
        directory,
        sources: { allowedFileRoots: [root] },
        jobSettings: { chunkSize: 327_680, simpleUploadMax: 4 * 1024 * 1024 },
        stateDir,
        resolveTtlMs: 60_000,
        dryRun: options.dryRun ?? false,
        parallel: 4,
        reporter: options.reporter ?? silentReporter,
        log: (event) => logs.push(event),
        clock: systemClock,
        newId: () => randomUUID(),
        signal: options.signal ?? AbortSignal.timeout(60_000),
      });
    },
    state: () => FileMirrorState.open(path.join(stateDir, "mirror-state.json")),
    writes: () =>
      emu.inspect
        .requestLog()
        .filter((r) => r.method !== "GET")
        .map(({ method, route, status }) => ({ method, route, status })),
    async close() {
      await emu.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
