/**
 * Terminal progress: one bar per active file (bytes, percent, rate, ETA) and an overall bar, drawn by
 * cli-progress. Retries, resyncs and session changes are printed above the bars so they are not lost.
 */
import cliProgress from "cli-progress";
import type { JobEvent, UploadJob } from "../../core/job.js";
import { formatBytes } from "../../core/units.js";
import type { FileLabel, ProgressReporter } from "./reporter.js";

interface FileBar {
  readonly bar: cliProgress.SingleBar;
  readonly startedAt: number;
  readonly startOffset: number;
  value: number;
}

export class BarsReporter implements ProgressReporter {
  private readonly multi: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly bars = new Map<string, FileBar>();
  private readonly totals = new Map<string, { size: number; done: number }>();
  private readonly startedAt = Date.now();

  constructor(stream: NodeJS.WriteStream) {
    this.multi = new cliProgress.MultiBar(
      {
        stream,
        format: "{name} |{bar}| {percentage}% | {doneText}/{totalText} | {rateText} | ETA {eta_formatted}",
        barCompleteChar: "█",
        barIncompleteChar: "░",
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        etaBuffer: 20,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multi.create(1, 0, this.payload("all files", 0, 0, 0));
  }

  resumed(label: FileLabel, job: UploadJob): void {
    this.multi.log(`resuming ${label.file} from ${formatBytes(job.confirmedOffset)}\n`);
  }

  events(label: FileLabel, job: UploadJob, events: readonly JobEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case "started":
          this.start(label, event.size, job.confirmedOffset);
          break;
        case "chunk-confirmed":
          this.update(label, event.confirmedOffset);
          break;
        case "resynced":
          this.update(label, event.to);
          break;
        case "retrying":
          this.multi.log(
            `${label.file}: retrying in ${Math.round(event.delayMs / 100) / 10}s (${event.reason})\n`,
          );
          break;
        case "session-recreated":
          this.multi.log(
            `${label.file}: new upload session #${event.sessionNumber} (${event.reason}), from byte 0\n`,
          );
          this.update(label, 0);
          break;
        case "source-changed":
          this.multi.log(`${label.file}: source changed during upload (${event.action})\n`);
          break;
        case "warning":
          this.multi.log(`${label.file}: warning: ${event.message}\n`);
          break;
        case "completed": {
          const size = this.totals.get(label.file)?.size ?? event.result.size;
          this.update(label, size);
          const how =
            event.result.verification === "hash" ? "verified by QuickXorHash" : "verified by size only";
          this.multi.log(`✓ ${label.file} -> ${label.destination} (${how})\n`);
          this.finishBar(label);
          break;
        }
        case "failed":
          this.multi.log(`✗ ${label.file}: ${event.error.code}: ${event.error.message}\n`);
          this.finishBar(label);
          break;
        case "session-created":
          break;
      }
    }
  }

  close(): void {
    this.multi.stop();
  }

  private start(label: FileLabel, size: number, offset: number): void {
    this.finishBar(label);
    const name = truncate(label.file, 28).padEnd(28);
    const bar = this.multi.create(Math.max(1, size), offset, this.payload(name, offset, size, 0));
    this.bars.set(label.file, { bar, startedAt: Date.now(), startOffset: offset, value: offset });
    this.totals.set(label.file, { size, done: offset });
    this.refreshOverall();
  }

  private update(label: FileLabel, value: number): void {
    const entry = this.bars.get(label.file);
    const total = this.totals.get(label.file);
    if (total) total.done = value;
    if (entry && total) {
      entry.value = value;
      const seconds = (Date.now() - entry.startedAt) / 1000;
      const rate = seconds > 0 ? Math.max(0, value - entry.startOffset) / seconds : 0;
      entry.bar.update(value, this.payload(truncate(label.file, 28).padEnd(28), value, total.size, rate));
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
    for (const t of this.totals.values()) {
      size += t.size;
      done += t.done;
    }
    const seconds = (Date.now() - this.startedAt) / 1000;
    this.overall.setTotal(Math.max(1, size));
    this.overall.update(
      done,
      this.payload("all files".padEnd(28), done, size, seconds > 0 ? done / seconds : 0),
    );
  }

  private payload(name: string, done: number, total: number, rate: number): Record<string, string> {
    return {
      name,
      doneText: formatBytes(done),
      totalText: formatBytes(total),
      rateText: `${formatBytes(Math.round(rate))}/s`,
    };
  }
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}
