/**
 * The CLI's job store: one JSON file holding every job of an upload command, rewritten after every step so a
 * killed CLI resumes where the server says it was (issue 3 "Resume"). Writes are atomic (temp file, fsync,
 * rename) so a crash mid-write leaves the previous state, and the file is mode 0600 because jobs hold upload
 * URLs, which are credentials (docs/design.md invariant 5).
 */
import { readFile, rm } from "node:fs/promises";
import type { UploadJob } from "../core/job/job.js";
import { ConfigError } from "../core/shared/validationError.js";
import { writeFileAtomic } from "../store/atomicFile.js";

const FORMAT_VERSION = 1;

interface StateDocument {
  readonly version: number;
  readonly jobs: Record<string, UploadJob>;
}

export class StateFile {
  private readonly jobs = new Map<string, UploadJob>();
  private writing: Promise<void> = Promise.resolve();
  private pending: Promise<void> | undefined;

  private constructor(readonly file: string) {}

  /**
   * Opens (or starts) a state file. A file that is not ours is refused, never overwritten. `option` is the
   * command-line option that chose the file, named in the error (`--state`, or `--state-dir` for a mirror).
   */
  static async open(file: string, option = "--state"): Promise<StateFile> {
    const state = new StateFile(file);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err: unknown) {
      const code = err instanceof Error && "code" in err ? String(err.code) : "unreadable";
      if (code === "ENOENT") return state;
      throw new ConfigError([{ field: option, rule: `${file} cannot be read (${code})` }], "option");
    }
    const doc = parseDocument(text);
    if (!doc) {
      throw new ConfigError(
        [{ field: option, rule: `${file} is not a graph-mirror upload state file; choose another path` }],
        "option",
      );
    }
    for (const [key, job] of Object.entries(doc.jobs)) state.jobs.set(key, job);
    return state;
  }

  get(key: string): UploadJob | undefined {
    return this.jobs.get(key);
  }

  all(): UploadJob[] {
    return [...this.jobs.values()];
  }

  /**
   * Records a job and resolves once a write containing it is on disk. Concurrent saves share one write of
   * the latest snapshot, so parallel uploads do not queue a write per step.
   */
  save(key: string, job: UploadJob): Promise<void> {
    this.jobs.set(key, job);
    if (this.pending) return this.pending;
    const next = this.writing.then(() => {
      this.pending = undefined;
      return this.writeNow();
    });
    this.pending = next;
    this.writing = next.catch(() => undefined);
    return next;
  }

  async remove(): Promise<void> {
    await this.writing;
    await rm(this.file, { force: true });
  }

  private async writeNow(): Promise<void> {
    const doc: StateDocument = { version: FORMAT_VERSION, jobs: Object.fromEntries(this.jobs) };
    await writeFileAtomic(this.file, JSON.stringify(doc));
  }
}

function parseDocument(text: string): StateDocument | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    if (!("version" in value) || value.version !== FORMAT_VERSION) return undefined;
    if (!("jobs" in value) || typeof value.jobs !== "object" || value.jobs === null) return undefined;
    const jobs: Record<string, UploadJob> = {};
    for (const [key, job] of Object.entries(value.jobs)) {
      if (!isJobShape(job)) return undefined;
      jobs[key] = job;
    }
    return { version: FORMAT_VERSION, jobs };
  } catch {
    return undefined;
  }
}

/** Enough of a shape check to refuse foreign files; the file is ours (0600) so its content is trusted. */
function isJobShape(value: unknown): value is UploadJob {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.jobId === "string" &&
    typeof v.status === "string" &&
    typeof v.confirmedOffset === "number" &&
    typeof v.hash === "object" &&
    typeof v.source === "object" &&
    typeof v.destination === "object"
  );
}
