/**
 * The suite writes only inside one folder per run, `/graph-mirror-conformance/<timestamp>-<random>`, created
 * at the start and deleted (with everything in it) at the end. The parent `/graph-mirror-conformance` is
 * created when missing and left in place (empty), so concurrent runs never delete each other's folders.
 */
import { randomBytes } from "node:crypto";
import type { TokenProvider } from "../../src/core/ports/common.js";
import { itemByPathUrl } from "../../src/graph/addressing.js";
import { Wire } from "./wire.js";

export const CONFORMANCE_ROOT = "graph-mirror-conformance";

export interface RunFolderAccess {
  readonly graphBaseUrl: string;
  readonly tokens: TokenProvider;
  readonly driveId: string;
}

export function newRunName(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}

/** Creates `/graph-mirror-conformance/<run>` (the parent if needed) and returns its decoded path. */
export async function createRunFolder(access: RunFolderAccess, run = newRunName()): Promise<string> {
  const wire = new Wire(access);
  const rootChildren = `${access.graphBaseUrl}/drives/${encodeURIComponent(access.driveId)}/root/children`;
  const parent = await wire.graph("POST", rootChildren, "createFolder", {
    json: { name: CONFORMANCE_ROOT, folder: {}, "@microsoft.graph.conflictBehavior": "fail" },
  });
  // 409: an earlier run made it. Anything else means we cannot write here: stop before any test runs.
  if (parent.status !== 201 && parent.status !== 409) {
    throw new Error(
      `creating /${CONFORMANCE_ROOT} answered HTTP ${parent.status} (${describe(parent.body)})`,
    );
  }
  const children = itemByPathUrl(access.graphBaseUrl, access.driveId, CONFORMANCE_ROOT, "children");
  const created = await wire.graph("POST", children, "createFolder", {
    json: { name: run, folder: {}, "@microsoft.graph.conflictBehavior": "fail" },
  });
  if (created.status !== 201) {
    throw new Error(`creating the run folder answered HTTP ${created.status} (${describe(created.body)})`);
  }
  return `/${CONFORMANCE_ROOT}/${run}`;
}

/** Deletes the run folder; a folder already gone is fine. */
export async function deleteRunFolder(access: RunFolderAccess, folder: string): Promise<void> {
  const wire = new Wire(access);
  const answer = await wire.graph(
    "DELETE",
    itemByPathUrl(access.graphBaseUrl, access.driveId, folder),
    "deleteItem",
  );
  if (answer.status !== 204 && answer.status !== 404) {
    throw new Error(
      `deleting the run folder ${folder} answered HTTP ${answer.status} (${describe(answer.body)})`,
    );
  }
}

/** The Graph error code of a body, for messages (never the whole body: it may echo request details). */
function describe(body: unknown): string {
  if (typeof body === "object" && body !== null && "error" in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === "object" && error !== null && "code" in error) return String(error.code);
  }
  return "no Graph error code";
}
