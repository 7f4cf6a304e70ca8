/**
 * Graph and upload settings, validated once (docs/design.md "configuration is read and validated once"):
 *   GRAPH_BASE_URL           default {Graph root of GRAPH_CLOUD}/v1.0, i.e. https://graph.microsoft.com/v1.0 for the
 *                            global cloud; http:// only for loopback hosts
 *   CHUNK_SIZE               a multiple of 320 KiB, under 60 MiB (docs/graph-protocol.md "Upload sessions"); unset:
 *                            AUTO_CHUNK_SIZE, start at 10MiB and size fragments to the link (docs/upload.md "Chunk size")
 *   SIMPLE_UPLOAD_MAX        default 4MiB; files up to this size go by simple upload (docs/graph-protocol.md "Simple upload")
 *   GRAPH_REQUEST_TIMEOUT_MS default 120000; the deadline of every Graph request, body included
 */
import { z } from "zod";
import { parseByteSize } from "../core/shared/units.js";
import { ConfigError, problemsFromZod } from "../core/shared/validationError.js";
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

const byteSize = (rule: (n: number) => string | undefined, fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === "") return fallback;
      const bytes = parseByteSize(text);
      if (bytes === undefined) {
        ctx.addIssue({ code: "custom", message: "must be a size such as 320KiB, 10MiB or 4194304" });
        return z.NEVER;
      }
      const problem = rule(bytes);
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      return bytes;
    });

const schema = z.object({
  GRAPH_BASE_URL: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const value = (text?.trim() || DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, "");
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: "must be an absolute URL such as https://graph.microsoft.com/v1.0",
        });
        return z.NEVER;
      }
      if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
        ctx.addIssue({
          code: "custom",
          message: "must use https:// (http:// is allowed only for localhost/127.0.0.1/::1)",
        });
        return z.NEVER;
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        ctx.addIssue({ code: "custom", message: "must be an http(s) URL" });
        return z.NEVER;
      }
      if (url.search || url.hash || url.username || url.password) {
        ctx.addIssue({ code: "custom", message: "must not contain a query, fragment or credentials" });
        return z.NEVER;
      }
      return value;
    }),
  CHUNK_SIZE: byteSize(chunkSizeProblem, AUTO_CHUNK_SIZE),
  SIMPLE_UPLOAD_MAX: byteSize(
    (n) =>
      n < MAX_FRAGMENT_BYTES ? undefined : "must be under 60 MiB (one request's worth, held in memory)",
    DEFAULT_SIMPLE_UPLOAD_MAX,
  ),
  GRAPH_REQUEST_TIMEOUT_MS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === "") return DEFAULT_REQUEST_TIMEOUT_MS;
      const ms = Number(text);
      if (!Number.isInteger(ms) || ms < 1_000 || ms > 600_000) {
        ctx.addIssue({
          code: "custom",
          message: "must be a whole number of milliseconds from 1000 to 600000",
        });
        return z.NEVER;
      }
      return ms;
    }),
});

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
  const parsed = schema.safeParse({
    GRAPH_BASE_URL: explicit || defaultBaseUrl(env),
    CHUNK_SIZE: env.CHUNK_SIZE,
    SIMPLE_UPLOAD_MAX: env.SIMPLE_UPLOAD_MAX,
    GRAPH_REQUEST_TIMEOUT_MS: env.GRAPH_REQUEST_TIMEOUT_MS,
  });
  if (!parsed.success) throw new ConfigError(problemsFromZod(parsed.error));
  const data = parsed.data;
  return {
    baseUrl: data.GRAPH_BASE_URL,
    graphRoot: new URL(data.GRAPH_BASE_URL).origin,
    chunkSize: data.CHUNK_SIZE,
    simpleUploadMax: data.SIMPLE_UPLOAD_MAX,
    requestTimeoutMs: data.GRAPH_REQUEST_TIMEOUT_MS,
  };
}
