/**
 * Settings of the HTTP API (POST/GET/DELETE /api/uploads): which sources a request may name, where
 * octet-stream bodies are staged, and the size limits. Parsed once, passed in (libraries never read process.env).
 *
 * Defaults are closed: no file roots, no blob containers, no private networks. An upload request must never
 * become a way to read the host's files or the instance's managed-identity endpoint (issue 4).
 */

import { BlockList, isIP } from "node:net";
import path from "node:path";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import type { Env } from "./auth.js";

export interface HttpApiConfig {
  /** Absolute directories a `file` source may lie under (after resolving symlinks). Empty = `file` refused. */
  readonly allowedFileRoots: readonly string[];
  /** Blob containers a `blob` source may name. Empty = `blob` refused. */
  readonly allowedBlobContainers: readonly string[];
  /** Networks a `url` source may reach although they are private, loopback or link-local (CIDR list). */
  readonly urlAllowedNetworks: readonly string[];
  /** Container that octet-stream bodies are streamed into; created on first use. */
  readonly stagingContainer: string;
  /** Largest octet-stream body accepted, in bytes. */
  readonly stagingMaxBytes: number;
  /** Deadline for receiving a whole octet-stream body, in ms (Azure cuts HTTP requests at 230 s). */
  readonly stagingTimeoutMs: number;
  /** Largest JSON request body accepted, in bytes. */
  readonly jsonMaxBytes: number;
  /** Most destinations one request may name. */
  readonly maxDestinations: number;
  /**
   * Who may call the upload routes: `functionKey` (the function key alone, callers not named) or `entra` (the
   * platform's built-in authentication validates an Entra ID token; the handlers require the app roles and
   * record the caller). src/api/authorize.ts.
   */
  readonly apiAuth: ApiAuthMode;
}

export const API_AUTH_MODES = ["functionKey", "entra"] as const;
export type ApiAuthMode = (typeof API_AUTH_MODES)[number];

export const HTTP_API_DEFAULTS = {
  stagingContainer: "graph-mirror-staging",
  stagingMaxBytes: 100 * 1024 ** 3,
  stagingTimeoutSeconds: 220,
  jsonMaxBytes: 64 * 1024,
  maxDestinations: 20,
} as const;

/** Blob container names: 3-63 lowercase letters, digits and single hyphens, starting with a letter or digit. */
export const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

export function parseHttpApiConfig(env: Env): HttpApiConfig {
  const problems: FieldProblem[] = [];

  const allowedFileRoots = splitList(env.ALLOWED_FILE_ROOTS, ",", "\n", path.delimiter).map((root) => {
    if (!path.isAbsolute(root))
      problems.push({ field: "ALLOWED_FILE_ROOTS", rule: "each root must be an absolute path" });
    return path.resolve(root);
  });

  const allowedBlobContainers = splitList(env.ALLOWED_BLOB_CONTAINERS, /[,;\s]+/);
  for (const name of allowedBlobContainers) {
    if (!CONTAINER_NAME.test(name))
      problems.push({
        field: "ALLOWED_BLOB_CONTAINERS",
        rule: "each entry must be a blob container name (3-63 lowercase letters, digits and hyphens)",
      });
  }

  const urlAllowedNetworks = splitList(env.URL_SOURCE_ALLOWED_NETWORKS, /[,;\s]+/);
  for (const cidr of urlAllowedNetworks) {
    if (!isCidr(cidr))
      problems.push({
        field: "URL_SOURCE_ALLOWED_NETWORKS",
        rule: "each entry must be an IP network in CIDR form, e.g. 10.1.0.0/16 or fd12::/64",
      });
  }

  const stagingContainer = env.STAGING_CONTAINER?.trim() || HTTP_API_DEFAULTS.stagingContainer;
  if (!CONTAINER_NAME.test(stagingContainer))
    problems.push({
      field: "STAGING_CONTAINER",
      rule: "must be a blob container name (3-63 lowercase letters, digits and hyphens)",
    });

  const stagingMaxBytes = positiveInteger(
    env.STAGING_MAX_BYTES,
    "STAGING_MAX_BYTES",
    HTTP_API_DEFAULTS.stagingMaxBytes,
    problems,
  );
  const stagingTimeoutSeconds = positiveInteger(
    env.STAGING_TIMEOUT_SECONDS,
    "STAGING_TIMEOUT_SECONDS",
    HTTP_API_DEFAULTS.stagingTimeoutSeconds,
    problems,
  );
  const jsonMaxBytes = positiveInteger(
    env.HTTP_JSON_MAX_BYTES,
    "HTTP_JSON_MAX_BYTES",
    HTTP_API_DEFAULTS.jsonMaxBytes,
    problems,
  );

  const apiAuth = parseApiAuth(env.API_AUTH, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    apiAuth,
    allowedFileRoots,
    allowedBlobContainers,
    urlAllowedNetworks,
    stagingContainer,
    stagingMaxBytes,
    stagingTimeoutMs: stagingTimeoutSeconds * 1000,
    jsonMaxBytes,
    maxDestinations: HTTP_API_DEFAULTS.maxDestinations,
  };
}

/** API_AUTH alone: the upload functions read it when they register (their authLevel depends on it). */
export function parseApiAuthMode(env: Env): ApiAuthMode {
  const problems: FieldProblem[] = [];
  const mode = parseApiAuth(env.API_AUTH, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return mode;
}

function parseApiAuth(value: string | undefined, problems: FieldProblem[]): ApiAuthMode {
  const text = value?.trim() ?? "";
  if (text === "") return "functionKey";
  const mode = API_AUTH_MODES.find((m) => m === text);
  if (!mode) problems.push({ field: "API_AUTH", rule: "must be functionKey or entra" });
  return mode ?? "functionKey";
}

function splitList(value: string | undefined, ...separators: (RegExp | string)[]): string[] {
  if (!value?.trim()) return [];
  let parts = [value];
  for (const separator of separators) parts = parts.flatMap((part) => part.split(separator));
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function positiveInteger(
  value: string | undefined,
  field: string,
  fallback: number,
  problems: FieldProblem[],
): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value.trim());
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    problems.push({ field, rule: "must be a positive whole number" });
    return fallback;
  }
  return parsed;
}

function isCidr(cidr: string): boolean {
  const [address, prefixText, ...rest] = cidr.split("/");
  if (!address || prefixText === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefixText)) return false;
  const family = isIP(address);
  const prefix = Number(prefixText);
  if (family === 0 || prefix > (family === 4 ? 32 : 128)) return false;
  try {
    new BlockList().addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
    return true;
  } catch {
    return false;
  }
}
