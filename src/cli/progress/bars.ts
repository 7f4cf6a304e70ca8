/**
 * Terminal progress: one bar per active file (bytes, percent, rate, ETA) and an overall bar, drawn by
 * cli-progress. Retries, resyncs and session changes are printed above the bars so they are not lost.
 *
 * Issue 15 item 2, what this keeps true: a resumed file has a bar from its confirmed offset; the overall bar
 * counts every file it has been told about (planned sizes, or the size a resumed job already knows); rate and
 * ETA are computed here from bytes sent in this run ("—" until they mean something, never NaN); and every
 * finished job gets exactly one ✓ or ✗ line, written at once (cli-progress only writes its log buffer on its
 * next redraw, and never on stop, which used to lose the last file's line).
 */
import cliProgress from "cli-progress";
import { isTerminal, type JobEvent, type UploadJob } from "../../core/job/job.js";
import { formatBytes } from "../../core/shared/units.js";
import { formatEta, formatRate } from "./rate.js";
import type { FileLabel, ProgressReporter } from "./reporter.js";

const NAME_WIDTH = 28;

interface FileBar {
  readonly bar: cliProgress.SingleBar;
  readonly startedAt: number;
  readonly startOffset: number;
}

interface FileTotal {
  size: number;
  done: number;
  /** Bytes already confirmed when this run first heard of the file: not counted in this run's rate. */
  readonly before: number;
}

export class BarsReporter implements ProgressReporter {
  private readonly multi: cliProgress.MultiBar;
  /** Bars are drawn only on a terminal; elsewhere only the lines are written. */
  private readonly overall: cliProgress.SingleBar | undefined;
  private readonly bars = new Map<string, FileBar>();
  private readonly totals = new Map<string, FileTotal>();
  /** Jobs whose ✓ or ✗ line is written: one per job, never two, never none. */
  private readonly reported = new Set<string>();
  private readonly startedAt: number;
  private readonly tty: boolean;
  private closed = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly now: () => number = Date.now,
    /** `-v`: also a line when a file starts and when an upload session is created. */
    private readonly verbose = false,
  ) {
    this.startedAt = now();
    this.tty = stream.isTTY === true;
    this.multi = new cliProgress.MultiBar(
      {
        stream: stream as NodeJS.WriteStream,
        format: "{name} |{bar}| {percentage}% | {doneText}/{totalText} | {rateText} | ETA {etaText}",
        barCompleteChar: "█",
        barIncompleteChar: "░",
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.tty ? this.multi.create(1, 0, this.payload("all files", 0, 0, undefined)) : undefined;
  }

  planned(label: FileLabel, size: number): void {
    if (!this.totals.has(label.file)) this.totals.set(label.file, { size, done: 0, before: 0 });
    this.refreshOverall();
  }

  resumed(label: FileLabel, job: UploadJob): void {
    this.ensureBar(label, job);
    this.say(`resuming ${label.file} from ${formatBytes(job.confirmedOffset)}\n`);
  }

  events(label: FileLabel, job: UploadJob, events: readonly JobEvent[]): void {
    for (const event of events) this.apply(label, job, event);
    // A job can end without a completed/failed event in this batch (e.g. found finished on resume): it still
    // gets its one line.
    if (isTerminal(job.status) && !this.reported.has(job.jobId)) {
      if (job.status === "completed" && job.result)
        this.reportDone(label, job, job.result.verification === "hash");
      else this.reportFailed(label, job, job.lastError?.code ?? job.status, job.lastError?.message ?? "");
    }
  }

  close(): void {
    if (this.closed) return;
    if (this.tty) {
      // Flush any line still in cli-progress's buffer, then draw the bars' final state.
      this.multi.update();
      this.multi.stop();
    }
    this.closed = true;
  }

  private apply(label: FileLabel, job: UploadJob, event: JobEvent): void {
    switch (event.type) {
      case "started":
        this.start(label, event.size, job.confirmedOffset);
        if (this.verbose)
          this.say(`${label.file}: started, ${formatBytes(event.size)} by ${event.method} upload\n`);
        break;
      case "chunk-confirmed":
        this.update(label, job, event.confirmedOffset);
        break;
      case "resynced":
        this.update(label, job, event.to);
        break;
      case "retrying":
        this.say(`${label.file}: retrying in ${Math.round(event.delayMs / 100) / 10}s (${event.reason})\n`);
        break;
      case "session-recreated":
        this.say(
          `${label.file}: new upload session #${event.sessionNumber} (${event.reason}), from byte 0\n`,
        );
        this.update(label, job, 0);
        break;
      case "source-changed":
        this.say(`${label.file}: source changed during upload (${event.action})\n`);
        break;
      case "warning":
        this.say(`${label.file}: warning: ${event.message}\n`);
        break;
      case "completed":
        this.reportDone(label, job, event.result.verification === "hash", event.result.size);
        break;
      case "failed":
        this.reportFailed(label, job, event.error.code, event.error.message);
        break;
      case "session-created":
        if (this.verbose) this.say(`${label.file}: upload session #${event.sessionNumber} created\n`);
        break;
    }
  }

  private reportDone(label: FileLabel, job: UploadJob, byHash: boolean, size?: number): void {
    if (this.reported.has(job.jobId)) return;
    this.reported.add(job.jobId);
    const total = this.totals.get(label.file);
    const finalSize = size ?? total?.size ?? job.confirmedOffset;
    if (total) {
      total.size = finalSize;
      total.done = finalSize;
    }
    this.finishBar(label);
    this.say(
      `✓ ${label.file} -> ${label.destination} (${byHash ? "verified by QuickXorHash" : "verified by size only"})\n`,
    );
    this.refreshOverall();
  }

  private reportFailed(label: FileLabel, job: UploadJob, code: string, message: string): void {
    if (this.reported.has(job.jobId)) return;
    this.reported.add(job.jobId);
    this.finishBar(label);
    this.say(`✗ ${label.file}: ${code}${message ? `: ${message}` : ""}\n`);
    this.refreshOverall();
  }

  /** A line above the bars, written now: in a terminal through cli-progress (then redrawn), else plainly. */
  private say(text: string): void {
    if (this.tty && !this.closed) {
      this.multi.log(text);
      this.multi.update();
    } else this.stream.write(text);
  }

  private start(label: FileLabel, size: number, offset: number): void {
    this.finishBar(label);
    const known = this.totals.get(label.file);
    this.totals.set(label.file, { size, done: offset, before: known?.before ?? offset });
    this.createBar(label, size, offset);
    this.refreshOverall();
  }

  /** A bar for a job first heard of mid-upload (a resumed one), starting at its confirmed offset. */
  private ensureBar(label: FileLabel, job: UploadJob): void {
    if (this.bars.has(label.file)) return;
    const known = this.totals.get(label.file);
    const size = job.fingerprint?.size ?? known?.size ?? job.confirmedOffset;
    this.totals.set(label.file, {
      size,
      done: job.confirmedOffset,
      before: known && known.done > 0 ? known.before : job.confirmedOffset,
    });
    this.createBar(label, size, job.confirmedOffset);
    this.refreshOverall();
  }

  private createBar(label: FileLabel, size: number, offset: number): void {
    if (!this.tty) return;
    const bar = this.multi.create(
      Math.max(1, size),
      offset,
      this.payload(displayName(label.file), offset, size, undefined),
    );
    this.bars.set(label.file, { bar, startedAt: this.now(), startOffset: offset });
  }

  private update(label: FileLabel, job: UploadJob, value: number): void {
    if (!this.bars.has(label.file) && !this.reported.has(job.jobId)) this.ensureBar(label, job);
    const entry = this.bars.get(label.file);
    const total = this.totals.get(label.file);
    if (total) total.done = value;
    if (entry && total) {
      const rate = bytesPerSecond(value - entry.startOffset, this.now() - entry.startedAt);
      entry.bar.update(value, this.payload(displayName(label.file), value, total.size, rate));
    }
    this.refreshOverall();
  }

  private finishBar(label: FileLabel): void {
    const entry = this.bars.get(label.file);
    if (!entry) return;
    entry.bar.stop();
    this.multi.remove(entry.bar);
    this.bars.delete(label.file);
  }

  private refreshOverall(): void {
    let size = 0;
    let done = 0;
    let before = 0;
    for (const t of this.totals.values()) {
      size += t.size;
      done += Math.min(t.done, t.size);
      before += t.before;
    }
    if (!this.overall) return;
    const rate = bytesPerSecond(done - before, this.now() - this.startedAt);
    this.overall.setTotal(Math.max(1, size));
    // Every file done with nothing to send (0-byte files) is complete, not 0 of 1.
    this.overall.update(size === 0 ? 0 : done, this.payload(displayName("all files"), done, size, rate));
  }

  private payload(
    name: string,
    done: number,
    total: number,
    rate: number | undefined,
  ): Record<string, string> {
    return {
      name,
      doneText: formatBytes(done),
      totalText: formatBytes(total),
      rateText: formatRate(rate),
      etaText: formatEta(total - done, rate),
    };
  }
}

/** Bytes per second over `ms`, or undefined while too little time or data has passed to mean anything. */
function bytesPerSecond(bytes: number, ms: number): number | undefined {
  if (ms < 500 || bytes <= 0) return undefined;
  return (bytes * 1000) / ms;
}

function displayName(text: string): string {
  const truncated = text.length <= NAME_WIDTH ? text : `…${text.slice(text.length - NAME_WIDTH + 1)}`;
  return truncated.padEnd(NAME_WIDTH);
}
