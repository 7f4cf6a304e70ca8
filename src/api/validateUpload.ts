/**
 * Every rule an upload request must meet before anything is stored or enqueued (docs/design.md invariant 6: bad input
 * gets a clear error naming the field and the rule, and changes nothing). Shape first (zod), then the rules that
 * need configuration or I/O: file roots and symlinks, blob containers, URL scheme and resolved addresses,
 * destination names and paths (docs/graph-protocol.md "Names and paths").
 */
import path from "node:path/posix";
import type { z } from "zod";
import { CONTAINER_NAME, type HttpApiConfig } from "../config/httpApi.js";
import type { ConflictBehavior, Destination, SourceRef } from "../core/job/job.js";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import { sftpHost, sftpUsername } from "../mirror/definitionSchema.js";
import { checkFileSource, FileRefusedError } from "../sources/fileGuard.js";
import { BlockedAddressError, type NetworkPolicy, resolveAllowed } from "../sources/networkGuard.js";
import { entriesFor, type KnownHostEntry } from "../sources/sftp/knownHosts.js";
import { problemsFromIssues } from "./problems.js";
import { DEFAULT_CONFLICT_BEHAVIOR, type sourceSchema, uploadRequestSchema } from "./uploadRequest.js";
import { duplicateProblems, validateDestination } from "./validateDestination.js";

export interface ValidationSettings {
  readonly config: HttpApiConfig;
  readonly networkPolicy: NetworkPolicy;
  /** SFTP_KNOWN_HOSTS: an sftp source may only name a host pinned there. Absent or empty = sftp refused. */
  readonly sftpKnownHosts?: readonly KnownHostEntry[];
}

/** A request that passed every rule: what the jobs are built from. */
export interface ValidUpload {
  readonly source: SourceRef;
  readonly destinations: readonly Destination[];
  readonly conflictBehavior: ConflictBehavior;
}

export function invalid(problems: readonly FieldProblem[]): ConfigError {
  return new ConfigError(problems, "request");
}

export async function validateUploadBody(body: unknown, settings: ValidationSettings): Promise<ValidUpload> {
  const parsed = uploadRequestSchema(settings.config.maxDestinations).safeParse(body);
  if (!parsed.success) throw invalid(problemsFromIssues(parsed.error.issues));
  const problems: FieldProblem[] = [];
  const checked = await checkSource(parsed.data.source, settings, problems);
  const destinations = parsed.data.destinations.flatMap((destination, i) => {
    // A source that failed its own check has no name to judge by: its problem is the one reported, not
    // "must end with a file name" (issue 15 item 6).
    const resolved = validateDestination(
      destination,
      checked ? checked.fileName : UNKNOWN_SOURCE_NAME,
      `destinations[${i}]`,
      problems,
    );
    return resolved ? [resolved] : [];
  });
  // Indices only line up when every destination resolved, and a duplicate only matters then.
  if (problems.length === 0) problems.push(...duplicateProblems(destinations));
  if (problems.length > 0 || !checked) throw invalid(problems);
  return {
    source: checked.source,
    destinations,
    conflictBehavior: parsed.data.conflictBehavior ?? DEFAULT_CONFLICT_BEHAVIOR,
  };
}

interface CheckedSource {
  readonly source: SourceRef;
  /** The name the file keeps when a destination path names a folder (ends with `/`). */
  readonly fileName: string | undefined;
}

async function checkSource(
  source: z.infer<typeof sourceSchema>,
  settings: ValidationSettings,
  problems: FieldProblem[],
): Promise<CheckedSource | undefined> {
  switch (source.type) {
    case "blob":
      return checkBlob(source.container, source.blob, settings.config, problems);
    case "file":
      try {
        const real = await checkFileSource(source.path, settings.config.allowedFileRoots);
        return { source: { type: "file", path: real }, fileName: path.basename(real.replaceAll("\\", "/")) };
      } catch (err: unknown) {
        if (!(err instanceof FileRefusedError)) throw err;
        problems.push({ field: "source.path", rule: err.message });
        return undefined;
      }
    case "url":
      return checkUrl(source.url, settings.networkPolicy, problems);
    case "sftp":
      return checkSftp(source, settings.sftpKnownHosts ?? [], problems);
  }
}

function checkBlob(
  container: string,
  blob: string,
  config: HttpApiConfig,
  problems: FieldProblem[],
): CheckedSource | undefined {
  const before = problems.length;
  if (!CONTAINER_NAME.test(container))
    problems.push({
      field: "source.container",
      rule: "must be a blob container name (3-63 lowercase letters, digits and hyphens)",
    });
  else if (!config.allowedBlobContainers.includes(container))
    problems.push({
      field: "source.container",
      rule:
        config.allowedBlobContainers.length === 0
          ? "blob sources are disabled: ALLOWED_BLOB_CONTAINERS lists no containers"
          : "must be one of the containers listed in ALLOWED_BLOB_CONTAINERS",
    });
  const segments = blob.split("/");
  if (segments.some((s) => s === "." || s === ".." || s === "") || blob.includes("\\"))
    problems.push({
      field: "source.blob",
      rule: "must be a blob name without empty, '.' or '..' segments and without backslashes",
    });
  if (problems.length > before) return undefined;
  return { source: { type: "blob", container, blob }, fileName: segments[segments.length - 1] };
}

/**
 * An sftp source may only name a server whose host key an administrator pinned: a request cannot make the app
 * connect anywhere else (the same reason URL sources refuse private addresses).
 */
function checkSftp(
  source: Extract<z.infer<typeof sourceSchema>, { type: "sftp" }>,
  knownHosts: readonly KnownHostEntry[],
  problems: FieldProblem[],
): CheckedSource | undefined {
  const before = problems.length;
  const port = source.port ?? 22;
  if (!sftpHost.safeParse(source.host).success)
    problems.push({
      field: "source.host",
      rule: "must be a host name or IP address (no user, port or path)",
    });
  else if (knownHosts.length === 0)
    problems.push({
      field: "source.host",
      rule: "sftp sources are disabled: SFTP_KNOWN_HOSTS pins no host key",
    });
  else if (entriesFor(knownHosts, source.host, port).length === 0)
    problems.push({
      field: "source.host",
      rule: "must be a host (and port) whose key is pinned in SFTP_KNOWN_HOSTS",
    });
  if (!sftpUsername.safeParse(source.username).success)
    problems.push({ field: "source.username", rule: "must be a user name (letters, digits, _ . -)" });
  const segments = source.path.split("/");
  if (!source.path.startsWith("/") || source.path.endsWith("/"))
    problems.push({ field: "source.path", rule: "must be an absolute path to a file on the server" });
  else if (segments.some((s) => s === "." || s === ".."))
    problems.push({ field: "source.path", rule: 'must not contain "." or ".." segments' });
  if (problems.length > before) return undefined;
  return {
    source: { type: "sftp", host: source.host, port, username: source.username, path: source.path },
    fileName: segments[segments.length - 1],
  };
}

async function checkUrl(
  text: string,
  policy: NetworkPolicy,
  problems: FieldProblem[],
): Promise<CheckedSource | undefined> {
  const field = "source.url";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push({ field, rule: "must be an absolute URL" });
    return undefined;
  }
  if (url.protocol !== "https:") {
    problems.push({ field, rule: "must use https" });
    return undefined;
  }
  if (url.username || url.password) {
    problems.push({ field, rule: "must not contain a user name or password" });
    return undefined;
  }
  try {
    await resolveAllowed(url.hostname, policy);
  } catch (err: unknown) {
    if (err instanceof BlockedAddressError)
      problems.push({
        field,
        rule:
          err.reason === "metadata"
            ? "must not point at a cloud metadata or platform address"
            : "must not point at a loopback, private, link-local or reserved address " +
              "(unless its network is listed in URL_SOURCE_ALLOWED_NETWORKS)",
      });
    else problems.push({ field, rule: "must name a host that resolves in DNS" });
    return undefined;
  }
  const last = url.pathname.split("/").pop() ?? "";
  let fileName: string | undefined;
  try {
    fileName = decodeURIComponent(last) || undefined;
  } catch {
    fileName = undefined;
  }
  return { source: { type: "url", url: url.href }, fileName };
}

/** Stands in for the name of a source that was refused, so destination checks do not blame its absence. */
const UNKNOWN_SOURCE_NAME = "source";
