/**
 * The CLI's mirror state on disk: the manifest and the history in one JSON file, for people who run
 * `graph-mirror mirror` without Table Storage. Written atomically (temp file, fsync, rename), so a crash
 * mid-write keeps the previous state. It holds no secrets (no upload URLs, no tokens).
 */
import { readFile } from "node:fs/promises";
import { ConfigError } from "../core/shared/validationError.js";
import { writeFileAtomic } from "./atomicFile.js";
import { type HistorySnapshot, MemoryHistoryStore } from "./historyMemory.js";
import { type ManifestSnapshot, MemoryManifestStore } from "./manifestMemory.js";

const FORMAT = "graph-mirror/mirror-state@1";
/** Keep the local history bounded: the newest records win. */
const MAX_RECORDS = 20_000;
const MAX_RUNS = 2_000;

interface StateDocument {
  readonly format: string;
  readonly manifest: ManifestSnapshot;
  readonly history: HistorySnapshot;
}

export class FileMirrorState {
  private writing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    readonly manifest: MemoryManifestStore,
    readonly history: MemoryHistoryStore,
  ) {}

  static async open(file: string): Promise<FileMirrorState> {
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch (err: unknown) {
      const code = err instanceof Error && "code" in err ? String(err.code) : "unreadable";
      if (code !== "ENOENT") {
        throw new ConfigError([{ field: "--state-dir", rule: `${file} cannot be read (${code})` }], "option");
      }
    }
    if (text === undefined) {
      return new FileMirrorState(file, new MemoryManifestStore(), new MemoryHistoryStore());
    }
    const doc = parse(text);
    if (!doc) {
      throw new ConfigError(
        [
          {
            field: "--state-dir",
            rule: `${file} is not a graph-mirror mirror state file; choose another folder`,
          },
        ],
        "option",
      );
    }
    return new FileMirrorState(
      file,
      new MemoryManifestStore(doc.manifest),
      new MemoryHistoryStore(doc.history),
    );
  }

  /**
   * Writes the current state and resolves once a write that includes it is on disk. Calls made while a write
   * is queued share it (many jobs ending together cost one write, not one each).
   */
  save(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.writing.then(() => {
      this.queued = undefined;
      return this.writeNow();
    });
    this.queued = next;
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeNow(): Promise<void> {
    const history = this.history.snapshot();
    const doc: StateDocument = {
      format: FORMAT,
      manifest: this.manifest.snapshot(),
      history: {
        records: [...history.records].sort((a, b) => b.finishedAt - a.finishedAt).slice(0, MAX_RECORDS),
        runs: [...history.runs].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_RUNS),
      },
    };
    await writeFileAtomic(this.file, JSON.stringify(doc));
  }
}

function parse(text: string): StateDocument | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const doc = value as Partial<StateDocument>;
    if (doc.format !== FORMAT || !doc.manifest || !doc.history) return undefined;
    if (!Array.isArray(doc.manifest.entries) || !Array.isArray(doc.manifest.pending)) return undefined;
    if (!Array.isArray(doc.history.records) || !Array.isArray(doc.history.runs)) return undefined;
    return doc as StateDocument;
  } catch {
    return undefined;
  }
}
