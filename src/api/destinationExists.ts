/**
 * Whether a destination's drive exists, asked of Graph while the upload request is still open (issue 15 item
 * 5): a drive id, user or site that does not exist, or a library a site does not have, is answered at once
 * (422, naming what does not exist and, for a library, the libraries that do) instead of after a 202, as a
 * job that fails later.
 *
 * One Graph lookup per destination drive, cached for a few minutes: the resolver the worker uses
 * (src/graph/resolve.ts; drives by id get one `GET /drives/{id}`), so a batch of requests to the same library
 * costs one call. Only definite answers are cached and acted on: a throttled, refused or timed-out lookup lets
 * the request through (the worker retries as it always has); "does not exist" is the only reason to refuse.
 */

import type { Destination } from "../core/job/job.js";
import type { Clock } from "../core/ports/common.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
import type { FieldProblem } from "../core/shared/validationError.js";
import type { GraphHttp } from "../graph/http.js";
import { resolveDrive } from "../graph/resolve.js";

/** Says what does not exist, or undefined when the destination's drive exists (or could not be asked about). */
export type DestinationCheck = (destination: Destination, field: string) => Promise<FieldProblem | undefined>;

export interface DestinationCheckOptions {
  readonly http: GraphHttp;
  readonly clock: Clock;
  /** How long an answer is reused. Short: a library created a minute ago should not stay "missing" for long. */
  readonly ttlMs?: number;
  /** Bounds memory whatever destinations requests name. */
  readonly maxEntries?: number;
  /** Deadline of one lookup: a request waits at most this long for Graph before going ahead unchecked. */
  readonly timeoutMs?: number;
}

/** What Graph said about one drive: it exists, or which part of the destination is missing and why. */
type Verdict = { readonly missing?: { readonly part: string; readonly rule: string } } | "unknown";

interface Entry {
  readonly expires: number;
  readonly verdict: Promise<Verdict>;
}

export function createDestinationCheck(options: DestinationCheckOptions): DestinationCheck {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const maxEntries = options.maxEntries ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cache = new Map<string, Entry>();

  const verdictFor = (destination: Destination): Promise<Verdict> => {
    const key = driveKey(destination);
    const now = options.clock.now();
    const cached = cache.get(key);
    if (cached && cached.expires > now) return cached.verdict;
    const verdict = lookUp(options.http, destination, timeoutMs);
    cache.delete(key);
    if (cache.size >= maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(key, { expires: now + ttlMs, verdict });
    // An "unknown" answer (Graph busy or unreachable) is not kept: the next request asks again.
    void verdict.then((v) => {
      if (v === "unknown" && cache.get(key)?.verdict === verdict) cache.delete(key);
    });
    return verdict;
  };

  return async (destination, field) => {
    const verdict = await verdictFor(destination);
    if (verdict === "unknown" || !verdict.missing) return undefined;
    return { field: `${field}.${verdict.missing.part}`, rule: verdict.missing.rule };
  };
}

/** The drive a destination lands in: destinations differing only in path share one lookup. */
function driveKey(destination: Destination): string {
  switch (destination.type) {
    case "drive":
      return `drive\n${destination.driveId}`;
    case "onedrive":
      return `onedrive\n${destination.user.toLowerCase()}`;
    case "sharepoint":
      return `sharepoint\n${destination.site.toLowerCase().replace(/\/+$/, "")}\n${destination.library.toLowerCase()}`;
  }
}

async function lookUp(http: GraphHttp, destination: Destination, timeoutMs: number): Promise<Verdict> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    if (destination.type === "drive") {
      const url = `${http.baseUrl}/drives/${encodeURIComponent(destination.driveId)}`;
      await http.send({ method: "GET", url, route: "getDrive", host: "graph" }, signal);
    } else {
      await resolveDrive(http, destination, signal);
    }
    return {};
  } catch (err: unknown) {
    if (!(err instanceof GraphFailure) || err.status !== 404) return "unknown";
    return { missing: missingPart(destination, err) };
  }
}

function missingPart(destination: Destination, failure: GraphFailure): { part: string; rule: string } {
  switch (destination.type) {
    case "drive":
      return {
        part: "driveId",
        rule: `no drive with id ${destination.driveId} is visible to these credentials`,
      };
    case "onedrive":
      return {
        part: "user",
        rule: `no user ${destination.user} (or the user has no OneDrive) is visible to these credentials`,
      };
    case "sharepoint":
      // The resolver's own message names the site and lists the libraries it has.
      if (failure.codes.includes("libraryNotFound")) return { part: "library", rule: failure.message };
      return { part: "site", rule: `no site at ${destination.site} is visible to these credentials` };
  }
}

/** Every destination that does not exist, each named under its field; all asked at once. */
export async function missingDestinations(
  check: DestinationCheck | undefined,
  destinations: readonly (readonly [destination: Destination, field: string])[],
): Promise<FieldProblem[]> {
  if (!check) return [];
  const answers = await Promise.all(destinations.map(([destination, field]) => check(destination, field)));
  return answers.filter((problem): problem is FieldProblem => problem !== undefined);
}
