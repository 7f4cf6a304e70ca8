/**
 * Where a queue-pipeline step spends its time beyond the CLI's (docs/pipeline.md "What a step costs beyond the
 * CLI path"): `node dist/bench/queuePipeline.js 1024 10 5 disk trace` runs the bench with every Azurite request
 * through a recording HTTP proxy and every Graph request of the app (which runs in the bench process) seen on
 * Node's `http.client.*` diagnostics channels (the Graph client is on node:http, src/graph/transport.ts), picked
 * out by the client's User-Agent, then reports requests per fragment by service and kind, and the median time
 * between one fragment's answer and the next fragment's start, split by the storage calls that lie in it. The
 * proxy adds a hop to every storage call, so trace timings are for the breakdown, never for the throughput
 * target.
 */
import diagnostics from "node:diagnostics_channel";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export interface TracedRequest {
  readonly service: "queue" | "table" | "graph";
  readonly kind: string;
  readonly start: number;
  end: number;
}

export interface RequestTrace {
  readonly requests: TracedRequest[];
  /** A port on 127.0.0.1 that forwards to `port` and records each request. */
  proxy(port: number, service: "queue" | "table"): Promise<number>;
  /** Records the app's Graph client requests (Graph, the emulator's upload URLs): their User-Agent is `userAgent`. */
  traceGraph(userAgent: string): void;
  close(): Promise<void>;
}

export function startRequestTrace(): RequestTrace {
  const requests: TracedRequest[] = [];
  const servers: http.Server[] = [];
  let onStart: ((message: unknown) => void) | undefined;
  let onAnswer: ((message: unknown) => void) | undefined;
  let unwrap: (() => void) | undefined;
  return {
    requests,
    async proxy(port, service) {
      const agent = new http.Agent({ keepAlive: true });
      const server = http.createServer((req, res) => {
        const record: TracedRequest = {
          service,
          kind: kindOf(service, req),
          start: performance.now(),
          end: 0,
        };
        const upstream = http.request(
          { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on("end", () => {
              record.end = performance.now();
              requests.push(record);
            });
          },
        );
        upstream.on("error", () => res.destroy());
        req.pipe(upstream);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return (server.address() as AddressInfo).port;
    },
    traceGraph(userAgent) {
      const open = new WeakMap<object, TracedRequest>();
      const created = recordCreation();
      unwrap = created.unwrap;
      onStart = (message) => {
        const request = (message as { request: http.ClientRequest }).request;
        if (String(request.getHeader("user-agent") ?? "") !== userAgent) return;
        const method = request.method;
        open.set(request, {
          service: "graph",
          kind: method === "PUT" && !request.path.includes("/drives/") ? "fragment" : `${method} other`,
          start: created.at.get(request) ?? performance.now(),
          end: 0,
        });
      };
      // Published when the answer's head arrives; Graph's answers are a few KiB, so that is when it ends.
      onAnswer = (message) => {
        const record = open.get((message as { request: object }).request);
        if (!record) return;
        record.end = performance.now();
        requests.push(record);
      };
      diagnostics.subscribe("http.client.request.start", onStart);
      diagnostics.subscribe("http.client.response.finish", onAnswer);
    },
    async close() {
      if (onStart) diagnostics.unsubscribe("http.client.request.start", onStart);
      if (onAnswer) diagnostics.unsubscribe("http.client.response.finish", onAnswer);
      unwrap?.();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

/**
 * When each client request was created. Node publishes `http.client.request.start` only once the request is
 * ended, i.e. after a fragment's whole body has been handed to the socket (10-40 ms for 10 MiB on loopback), so
 * a fragment's start is taken from the `request()` call instead: node:http and node:https are wrapped for the
 * trace's lifetime (the Graph transport calls `request` through the module object, src/graph/transport.ts).
 */
function recordCreation(): { readonly at: WeakMap<object, number>; unwrap(): void } {
  const at = new WeakMap<object, number>();
  const modules = [http, https] as const;
  const originals = modules.map((m) => m.request);
  for (const [i, m] of modules.entries()) {
    const original = originals[i] as typeof http.request;
    const wrapped = (...args: Parameters<typeof http.request>) => {
      const request = original(...args);
      at.set(request, performance.now());
      return request;
    };
    (m as { request: typeof http.request }).request = wrapped as typeof http.request;
  }
  return {
    at,
    unwrap: () => {
      for (const [i, m] of modules.entries())
        (m as { request: typeof http.request }).request = originals[i] as typeof http.request;
    },
  };
}

/** What a storage request does, from its method and path (Queue and Table REST APIs). */
function kindOf(service: "queue" | "table", req: http.IncomingMessage): string {
  const path = (req.url ?? "").split("?")[0] ?? "";
  const method = req.method ?? "";
  if (service === "queue") {
    if (!path.includes("/messages")) return `${method} queue`;
    if (method === "GET") return "receive";
    if (method === "POST") return "send";
    if (method === "DELETE") return "delete";
    return `${method} message`;
  }
  if (path.endsWith("$batch")) return "batch";
  if (!path.includes("(")) return `${method} table`;
  if (method === "GET") return "read";
  return "write";
}

export interface TraceSummary {
  readonly fragments: number;
  /** Requests per fragment, by `service kind`. */
  readonly perFragment: Readonly<Record<string, number>>;
  /** Median time from one fragment's answer to the next fragment's start (ms). */
  readonly medianGapMs: number;
  /** Median fragment PUT (ms). */
  readonly medianFragmentMs: number;
  /**
   * For each storage call seen inside the gaps (`service kind n`, n counting that kind within one gap): median
   * duration and median start offset into the gap (ms).
   */
  readonly inGap: Readonly<Record<string, { readonly medianMs: number; readonly medianStartMs: number }>>;
}

export function summarise(requests: readonly TracedRequest[]): TraceSummary {
  const fragments = requests.filter((r) => r.kind === "fragment").sort((a, b) => a.start - b.start);
  if (fragments.length === 0)
    throw new Error("the trace saw no fragment: the Graph client's requests went unrecorded");
  const perFragment: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.service} ${r.kind}`;
    perFragment[key] = (perFragment[key] ?? 0) + 1 / Math.max(1, fragments.length);
  }
  const gaps: number[] = [];
  const inGap = new Map<string, { durations: number[]; starts: number[] }>();
  for (let i = 0; i + 1 < fragments.length; i++) {
    const from = fragments[i]?.end ?? 0;
    const to = fragments[i + 1]?.start ?? 0;
    gaps.push(to - from);
    // Numbered by order within the gap: the result write is `write 1`, the next step's lease `write 2`.
    const seen = new Map<string, number>();
    const within = requests
      .filter((r) => r.service !== "graph" && r.start >= from && r.start < to)
      .sort((a, b) => a.start - b.start);
    for (const r of within) {
      const n = (seen.get(r.kind) ?? 0) + 1;
      seen.set(r.kind, n);
      const key = `${r.service} ${r.kind} ${n}`;
      const entry = inGap.get(key) ?? { durations: [], starts: [] };
      entry.durations.push(r.end - r.start);
      entry.starts.push(r.start - from);
      inGap.set(key, entry);
    }
  }
  return {
    fragments: fragments.length,
    perFragment,
    medianGapMs: median(gaps),
    medianFragmentMs: median(fragments.map((f) => f.end - f.start)),
    inGap: Object.fromEntries(
      [...inGap].map(([kind, e]) => [
        kind,
        { medianMs: median(e.durations), medianStartMs: median(e.starts) },
      ]),
    ),
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
