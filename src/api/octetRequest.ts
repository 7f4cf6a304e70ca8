/**
 * The streaming form of `POST /api/uploads`: `?to=<destination string>&name=<file name>` with an
 * `application/octet-stream` body. The destination string is the CLI's (`drive:<driveId>:<path>`, see
 * src/core/job/destinations.ts); a path ending in `/` means "into this folder, as `name`".
 * Everything here is checked before one byte of the body is read, so a bad request stores nothing.
 */
import { parseDestination } from "../core/job/destinations.js";
import type { ConflictBehavior, Destination } from "../core/job/job.js";
import { nameProblem } from "../core/shared/names.js";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import { CONFLICT_BEHAVIORS, DEFAULT_CONFLICT_BEHAVIOR } from "./uploadRequest.js";
import { destinationFromSpec, validateDestination } from "./validateDestination.js";
import { invalid } from "./validateUpload.js";

export interface OctetUpload {
  readonly name: string;
  readonly destination: Destination;
  readonly conflictBehavior: ConflictBehavior;
}

/** `code` is the function key, which Azure accepts as a query parameter (authLevel "function"). */
const KNOWN_PARAMETERS = new Set(["to", "name", "conflictBehavior", "code"]);

export function validateOctetRequest(
  query: URLSearchParams,
  contentLength: string | null,
  maxBytes: number,
): OctetUpload {
  const problems: FieldProblem[] = [];
  for (const key of new Set(query.keys())) {
    if (!KNOWN_PARAMETERS.has(key)) problems.push({ field: key, rule: "is not a known query parameter" });
    else if (query.getAll(key).length > 1) problems.push({ field: key, rule: "must be given once" });
  }

  const name = query.get("name") ?? "";
  const nameRule = query.has("name") ? nameProblem(name) : "is required (the file name)";
  if (nameRule) problems.push({ field: "name", rule: nameRule });

  let destination: Destination | undefined;
  const to = query.get("to");
  if (!to)
    problems.push({
      field: "to",
      rule: "is required: a destination string such as drive:<driveId>:/folder/",
    });
  else {
    try {
      const spec = parseDestination(to);
      // The same check as a JSON body's destination (issue 15 item 6): both forms accept the same things.
      if (!nameRule) destination = validateDestination(destinationFromSpec(spec), name, "to", problems);
    } catch (err: unknown) {
      if (!(err instanceof ConfigError)) throw err;
      for (const problem of err.problems) problems.push({ field: "to", rule: problem.rule });
    }
  }

  const conflict = query.get("conflictBehavior") ?? DEFAULT_CONFLICT_BEHAVIOR;
  if (!isConflictBehavior(conflict))
    problems.push({ field: "conflictBehavior", rule: `must be one of ${CONFLICT_BEHAVIORS.join(", ")}` });

  if (contentLength !== null) {
    const length = Number(contentLength);
    if (!Number.isSafeInteger(length) || length < 0)
      problems.push({ field: "Content-Length", rule: "must be a whole number of bytes" });
    else if (length > maxBytes)
      problems.push({ field: "body", rule: `must be at most ${maxBytes} bytes (STAGING_MAX_BYTES)` });
  }

  if (problems.length > 0 || !destination || !isConflictBehavior(conflict)) throw invalid(problems);
  return { name, destination, conflictBehavior: conflict };
}

function isConflictBehavior(value: string): value is ConflictBehavior {
  return (CONFLICT_BEHAVIORS as readonly string[]).includes(value);
}
