/** What the emulator saw: one entry per Graph or upload request, and counters. Never a query string or token. */
import type { RouteName } from "./routes.js";

export interface LoggedRequest {
  /** Emulator clock, ms since the epoch. */
  readonly at: number;
  readonly method: string;
  readonly host: "graph" | "upload";
  readonly route: RouteName;
  /** Path without the query string: an upload URL's query carries its secret. */
  readonly path: string;
  /** HTTP status answered; 0 when the connection was reset instead (fault or client abort). */
  readonly status: number;
  readonly hadAuthorization: boolean;
  readonly requestBytes: number;
  readonly requestId: string;
}

/** The log keeps the most recent entries only, so a long-running CLI emulator stays bounded. */
export const REQUEST_LOG_CAPACITY = 10_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private readonly counters = new Map<string, number>();

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > REQUEST_LOG_CAPACITY) this.entries.shift();
    this.count("requests");
    this.count(`route.${entry.route}`);
    this.count(`status.${entry.status}`);
    this.count("requestBytes", entry.requestBytes);
  }

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }
}
