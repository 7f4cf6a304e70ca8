/**
 * The one destination check both request forms go through (issue 15 item 6): the JSON body's
 * `destinations[i]` and the streaming form's `?to=` string, once parsed, meet the same shape rules (a driveId
 * without `/`, a SharePoint destination with a library, an https site URL) and the same path rules, so the two
 * forms cannot disagree about what they accept.
 */

import type { DestinationSpec } from "../core/job/destinations.js";
import type { Destination } from "../core/job/job.js";
import { nameProblem, pathProblems } from "../core/shared/names.js";
import type { FieldProblem } from "../core/shared/validationError.js";
import { problemsFromIssues } from "./problems.js";
import { destinationSchema } from "./uploadRequest.js";

/**
 * Checks one destination as a request gave it (`path` ending in `/` keeps `fileName`). Problems are named
 * under `field` (`destinations[0]`, or `to` for the streaming form); returns the destination with its full
 * path, or undefined when a problem was added.
 */
export function validateDestination(
  raw: unknown,
  fileName: string | undefined,
  field: string,
  problems: FieldProblem[],
): Destination | undefined {
  const parsed = destinationSchema.safeParse(raw);
  if (!parsed.success) {
    // The same wording as every other field of the request, named under this destination.
    problems.push(
      ...problemsFromIssues(parsed.error.issues.map((issue) => ({ ...issue, path: [field, ...issue.path] }))),
    );
    return undefined;
  }
  return resolveDestination(parsed.data, fileName, field, problems);
}

/** The JSON shape of a parsed `?to=` string, so it can go through {@link validateDestination}. */
export function destinationFromSpec(spec: DestinationSpec): Record<string, string> {
  // The folder form stays a folder form: validateDestination appends the file name, as for JSON.
  return { ...spec.target, path: spec.path };
}

/** Applies the folder form (`path` ending in `/` keeps the source's name) and the drive path rules. */
function resolveDestination(
  destination: Destination,
  fileName: string | undefined,
  field: string,
  problems: FieldProblem[],
): Destination | undefined {
  const normalised = `/${destination.path}`.replace(/\/{2,}/g, "/");
  let full = normalised;
  if (normalised.endsWith("/")) {
    if (!fileName) {
      problems.push({
        field: `${field}.path`,
        rule: "must end with a file name, because the source has no name to keep",
      });
      return undefined;
    }
    const problem = nameProblem(fileName);
    if (problem) {
      problems.push({ field: `${field}.path`, rule: `the source's name cannot be kept: ${problem}` });
      return undefined;
    }
    full = `${normalised}${fileName}`;
  }
  const pathRules = pathProblems(full);
  for (const rule of pathRules) problems.push({ field: `${field}.path`, rule });
  if (pathRules.length > 0) return undefined;
  return { ...destination, path: full };
}

/** The same item twice in one request: the second would only supersede the first. */
export function duplicateProblems(destinations: readonly Destination[]): FieldProblem[] {
  const seen = new Map<string, number>();
  const problems: FieldProblem[] = [];
  destinations.forEach((destination, i) => {
    const key = JSON.stringify({ ...destination, path: destination.path.toLowerCase() });
    const first = seen.get(key);
    if (first !== undefined)
      problems.push({ field: `destinations[${i}]`, rule: `must not repeat destinations[${first}]` });
    else seen.set(key, i);
  });
  return problems;
}
