/**
 * Fault injection, programmed per request by tests (in process) or through `POST /_emulator/faults`.
 *
 * A rule: `{ match: { route?, method?, pathIncludes?, nth?, times? }, fault }`.
 * - `route`: a name from routes.ts; `method`: HTTP method; `pathIncludes`: a substring of the request path
 *   (raw or decoded; never the query, which on upload URLs holds the secret).
 * - `nth` (1-based, default 1): the rule starts firing on the nth request that matches; `times` (default 1,
 *   `Infinity` allowed, or the string "Infinity" in JSON): how many requests it then fires on.
 * Faults (`type`):
 * - `status`: answer `status` (e.g. 429, 503, 500, 502, 504) with Graph's error body; `code` overrides the error
 *   code; `retryAfterSeconds` or `retryAfterDate` (HTTP-date, ISO string or epoch ms) set `Retry-After`;
 *   `rateLimitResetSeconds` adds `RateLimit-Limit`, `RateLimit-Remaining: 0` and `RateLimit-Reset`. Nothing is
 *   stored (docs/graph-protocol.md "Throttling and transient errors").
 * - `storeThenFail`: handle the request fully (a fragment is stored) and then answer 500 (docs/graph-protocol.md: a failed PUT
 *   may have landed).
 * - `partialThenReset`: store only the first `bytes` bytes of the body, then destroy the socket.
 * - `resetMidBody`: read `afterBytes` bytes (default half the body), store nothing, destroy the socket.
 * - `delay`: wait `ms` (real time, cut short by close()) before handling, for client deadline tests.
 * - `expireSession`: the upload session addressed by the request expires now; the request then proceeds (404).
 * - `lock`: 423 (item locked / checked out). `quotaFull`: 507 quotaLimitReached.
 * Field faults (docs/emulator.md "Profiles" cites each source):
 * - `status` with `html: true`: the error comes as `text/html`, a gateway's page, not Graph JSON.
 * - `commitFails`: the final fragment (or the deferred `POST uploadUrl`) stores every byte but the commit fails
 *   with `status` (default 500); the session stays, complete and uncommitted, for the sourceUrl recovery.
 * - `sessionAnswerLost`: createUploadSession really creates the session, then the client gets a 504 (`as:
 *   "status"`, default; `status` overrides) or a reset socket (`as: "reset"`).
 * - `slowCommit`: handle the request fully (the file is committed), then answer `ms` later (real time, cut short by
 *   close()), so a client with a shorter timeout sees a timeout although the item exists.
 */
import { z } from "zod";
import { ConfigError, problemsFromZod } from "../core/shared/validationError.js";
import { ROUTE_NAMES, type RouteName } from "./routes.js";

export type Fault =
  | {
      readonly type: "status";
      readonly status: number;
      readonly code?: string;
      readonly message?: string;
      readonly retryAfterSeconds?: number;
      readonly retryAfterDate?: string | number | Date;
      readonly rateLimitResetSeconds?: number;
      /** Answer with a gateway's HTML page instead of Graph's JSON error. */
      readonly html?: boolean;
    }
  | { readonly type: "storeThenFail" }
  | { readonly type: "partialThenReset"; readonly bytes: number }
  | { readonly type: "resetMidBody"; readonly afterBytes?: number }
  | { readonly type: "delay"; readonly ms: number }
  | { readonly type: "expireSession" }
  | { readonly type: "lock" }
  | { readonly type: "quotaFull" }
  | { readonly type: "commitFails"; readonly status?: number; readonly code?: string }
  | { readonly type: "sessionAnswerLost"; readonly as?: "status" | "reset"; readonly status?: number }
  | { readonly type: "slowCommit"; readonly ms: number };

/** The fault the upload host plays at commit time (uploadHost.ts). */
export type CommitFault = Extract<Fault, { type: "commitFails" }>;

export interface FaultMatch {
  readonly route?: RouteName;
  readonly method?: string;
  readonly pathIncludes?: string;
  readonly nth?: number;
  readonly times?: number;
}

export interface FaultRule {
  readonly match: FaultMatch;
  readonly fault: Fault;
}

export interface FaultHandle {
  readonly id: string;
  remove(): void;
  readonly hits: number;
}

const positiveInt = z.number().int().positive();

const faultSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("status"),
    status: z.number().int().min(400).max(599),
    code: z.string().min(1).optional(),
    message: z.string().optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    retryAfterDate: z.union([z.string().min(1), z.number(), z.date()]).optional(),
    rateLimitResetSeconds: z.number().int().nonnegative().optional(),
    html: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal("storeThenFail") }),
  z.strictObject({ type: z.literal("partialThenReset"), bytes: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal("resetMidBody"), afterBytes: z.number().int().nonnegative().optional() }),
  z.strictObject({ type: z.literal("delay"), ms: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal("expireSession") }),
  z.strictObject({ type: z.literal("lock") }),
  z.strictObject({ type: z.literal("quotaFull") }),
  z.strictObject({
    type: z.literal("commitFails"),
    status: z.number().int().min(400).max(599).optional(),
    code: z.string().min(1).optional(),
  }),
  z.strictObject({
    type: z.literal("sessionAnswerLost"),
    as: z.enum(["status", "reset"]).optional(),
    status: z.number().int().min(400).max(599).optional(),
  }),
  z.strictObject({ type: z.literal("slowCommit"), ms: z.number().int().nonnegative() }),
]);

const ruleSchema = z.strictObject({
  match: z.strictObject({
    route: z.enum(ROUTE_NAMES).optional(),
    method: z.string().min(1).optional(),
    pathIncludes: z.string().min(1).optional(),
    nth: positiveInt.optional(),
    times: z
      .union([positiveInt, z.literal(Number.POSITIVE_INFINITY), z.literal("Infinity")])
      .optional()
      .transform((t) => (t === "Infinity" ? Number.POSITIVE_INFINITY : t)),
  }),
  fault: faultSchema,
});

export function parseFaultRule(input: unknown): FaultRule {
  const result = ruleSchema.safeParse(input);
  if (!result.success) throw new ConfigError(problemsFromZod(result.error), "fault rule");
  return result.data as FaultRule;
}

export interface FaultRequest {
  readonly route: RouteName;
  readonly method: string;
  readonly path: string;
  readonly decodedPath: string;
}

interface ActiveRule {
  readonly id: string;
  readonly rule: FaultRule;
  matched: number;
  hits: number;
}

export interface FaultListing {
  readonly id: string;
  readonly rule: FaultRule;
  readonly matched: number;
  readonly hits: number;
}

export class FaultRegistry {
  private rules: ActiveRule[] = [];
  private serial = 0;

  add(input: FaultRule): FaultHandle {
    const active: ActiveRule = {
      id: `fault-${++this.serial}`,
      rule: parseFaultRule(input),
      matched: 0,
      hits: 0,
    };
    this.rules.push(active);
    return {
      id: active.id,
      remove: () => this.remove(active.id),
      get hits() {
        return active.hits;
      },
    };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultListing[] {
    return this.rules.map((r) => ({ id: r.id, rule: r.rule, matched: r.matched, hits: r.hits }));
  }

  /** The fault for this request, if a rule fires (the first rule that fires wins; every matching rule counts). */
  take(request: FaultRequest): Fault | undefined {
    let fired: Fault | undefined;
    for (const active of this.rules) {
      const { match } = active.rule;
      if (match.route !== undefined && match.route !== request.route) continue;
      if (match.method !== undefined && match.method.toUpperCase() !== request.method.toUpperCase()) continue;
      if (
        match.pathIncludes !== undefined &&
        !request.path.includes(match.pathIncludes) &&
        !request.decodedPath.includes(match.pathIncludes)
      ) {
        continue;
      }
      active.matched++;
      if (fired) continue;
      const nth = match.nth ?? 1;
      const times = match.times ?? 1;
      if (active.matched >= nth && active.hits < times) {
        active.hits++;
        fired = active.rule.fault;
      }
    }
    return fired;
  }
}

/** `Retry-After` and `RateLimit-*` headers of a status fault. */
export function throttleHeaders(fault: Extract<Fault, { type: "status" }>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  else if (fault.retryAfterDate !== undefined) {
    const value = fault.retryAfterDate;
    const date = value instanceof Date ? value : new Date(value);
    headers["retry-after"] = Number.isNaN(date.getTime()) ? String(value) : date.toUTCString();
  }
  if (fault.rateLimitResetSeconds !== undefined) {
    headers["ratelimit-limit"] = "1000";
    headers["ratelimit-remaining"] = "0";
    headers["ratelimit-reset"] = String(fault.rateLimitResetSeconds);
  }
  return headers;
}

/** Graph's error code for a status, when the rule does not name one. */
export function defaultCodeFor(status: number): string {
  switch (status) {
    case 429:
      return "activityLimitReached";
    case 503:
      return "serviceNotAvailable";
    case 502:
      return "badGateway";
    case 504:
      return "gatewayTimeout";
    case 500:
      return "generalException";
    case 401:
      return "unauthenticated";
    case 403:
      return "accessDenied";
    case 404:
      return "itemNotFound";
    default:
      return status >= 500 ? "generalException" : "invalidRequest";
  }
}
