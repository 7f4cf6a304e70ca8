/**
 * Graph and upload settings, validated once (docs/design.md "configuration is read and validated once"):
 *   GRAPH_BASE_URL           default {Graph root of GRAPH_CLOUD}/v1.0, i.e. https://graph.microsoft.com/v1.0 for the
 *                            global cloud; http:// only for loopback hosts
 *   CHUNK_SIZE               a multiple of 320 KiB, under 60 MiB (docs/graph-protocol.md "Upload sessions"); unset:
 *                            AUTO_CHUNK_SIZE, start at 10MiB and size fragments to the link (docs/upload.md "Chunk size")
 *   SIMPLE_UPLOAD_MAX        default 4MiB; files up to this size go by simple upload (docs/graph-protocol.md "Simple upload")
 *   GRAPH_REQUEST_TIMEOUT_MS default 120000; the deadline of every Graph request, body included
 */
import { parseByteSize } from "../core/shared/units.js";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import {
  AUTO_CHUNK_SIZE,
  chunkSizeProblem,
  DEFAULT_SIMPLE_UPLOAD_MAX,
  MAX_FRAGMENT_BYTES,
} from "../core/upload/chunkPlan.js";
import type { Env } from "./auth.js";
import { cloudSettings, isCloudName } from "./authCloud.js";

export interface GraphConfig {
  /** e.g. `https://graph.microsoft.com/v1.0`, no trailing slash. */
  readonly baseUrl: string;
  /** The Graph root for token scopes, e.g. `https://graph.microsoft.com`. */
  readonly graphRoot: string;
  /** CHUNK_SIZE, or AUTO_CHUNK_SIZE when unset: new jobs then size their fragments to the link. */
  readonly chunkSize: number;
  readonly simpleUploadMax: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0";
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * Hand-written rather than a zod schema: loading zod costs every CLI command ~100 ms and ~10 MiB before its
 * first request (issue 17, docs/upload.md "Memory"). Each reader returns its value, or a problem with the
 * wording the schema had; every setting is read, so all problems are reported together.
 */
type Read<T> = { readonly value: T } | { readonly problem: string };

function byteSize(
  text: string | undefined,
  rule: (n: number) => string | undefined,
  fallback: number,
): Read<number> {
  if (text === undefined || text.trim() === "") return { value: fallback };
  const bytes = parseByteSize(text);
  if (bytes === undefined) return { problem: "must be a size such as 320KiB, 10MiB or 4194304" };
  const problem = rule(bytes);
  return problem ? { problem } : { value: bytes };
}

function baseUrlOf(text: string | undefined): Read<string> {
  const value = (text?.trim() || DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: "must be an absolute URL such as https://graph.microsoft.com/v1.0" };
  }
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname))
    return { problem: "must use https:// (http:// is allowed only for localhost/127.0.0.1/::1)" };
  if (url.protocol !== "http:" && url.protocol !== "https:") return { problem: "must be an http(s) URL" };
  if (url.search || url.hash || url.username || url.password)
    return { problem: "must not contain a query, fragment or credentials" };
  return { value };
}

function timeoutOf(text: string | undefined): Read<number> {
  if (text === undefined || text.trim() === "") return { value: DEFAULT_REQUEST_TIMEOUT_MS };
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 1_000 || ms > 600_000)
    return { problem: "must be a whole number of milliseconds from 1000 to 600000" };
  return { value: ms };
}

const simpleUploadRule = (n: number) =>
  n < MAX_FRAGMENT_BYTES ? undefined : "must be under 60 MiB (one request's worth, held in memory)";

/**
 * The Graph endpoint of the cloud GRAPH_CLOUD names, so that a US Government or China deployment does not send
 * its national-cloud token to the global Graph host (docs/graph-protocol.md "National clouds": root and authority are a pair).
 * An unknown GRAPH_CLOUD is reported by the auth settings; here it falls back to the global cloud.
 */
function defaultBaseUrl(env: Env): string {
  const cloud = env.GRAPH_CLOUD?.trim().toLowerCase() ?? "";
  return `${cloudSettings(isCloudName(cloud) ? cloud : "global").graphRoot}/v1.0`;
}

export function parseGraphConfig(env: Env): GraphConfig {
  const explicit = env.GRAPH_BASE_URL?.trim();
  const problems: FieldProblem[] = [];
  // In the schema's order, so problems are listed as they always were.
  const take = <T>(field: string, read: Read<T>): T | undefined => {
    if ("value" in read) return read.value;
    problems.push({ field, rule: read.problem });
    return undefined;
  };
  const baseUrl = take("GRAPH_BASE_URL", baseUrlOf(explicit || defaultBaseUrl(env)));
  const chunkSize = take("CHUNK_SIZE", byteSize(env.CHUNK_SIZE, chunkSizeProblem, AUTO_CHUNK_SIZE));
  const simpleUploadMax = take(
    "SIMPLE_UPLOAD_MAX",
    byteSize(env.SIMPLE_UPLOAD_MAX, simpleUploadRule, DEFAULT_SIMPLE_UPLOAD_MAX),
  );
  const requestTimeoutMs = take("GRAPH_REQUEST_TIMEOUT_MS", timeoutOf(env.GRAPH_REQUEST_TIMEOUT_MS));
  if (
    baseUrl === undefined ||
    chunkSize === undefined ||
    simpleUploadMax === undefined ||
    requestTimeoutMs === undefined
  )
    throw new ConfigError(problems);
  return { baseUrl, graphRoot: new URL(baseUrl).origin, chunkSize, simpleUploadMax, requestTimeoutMs };
}
