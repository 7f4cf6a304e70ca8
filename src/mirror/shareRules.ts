/**
 * A mirror destination's `share` rules (docs/permissions.md), applied after a successful pass: each user gets
 * the role on the destination folder through Graph's invite (sign-in required, no e-mail). Idempotent: a rule
 * whose user already holds that role (or `write` when `read` is asked) directly on the folder is skipped, so
 * a second pass makes no invite. A folder that does not exist yet (nothing mirrored there) is left for a later
 * pass. Each outcome is reported in the pass summary and counted in the run record.
 */
import type { FolderSharing } from "../core/ports/mirror.js";
import type { MirrorDefinition, MirrorDestination } from "./definitionSchema.js";
import { destinationLabel } from "./destinationKey.js";
import type { ResolvedDestination } from "./resolver.js";
import type { DestinationReport } from "./runDestination.js";

export interface ShareOutcome {
  readonly destination: string;
  readonly to: string;
  readonly role: "read" | "write";
  readonly outcome: "granted" | "already-granted" | "no-folder-yet" | "failed";
  readonly error?: string;
}

/** `write` includes `read`; `owner` includes both. */
function satisfies(roles: readonly string[], role: "read" | "write"): boolean {
  return roles.includes(role) || roles.includes("owner") || (role === "read" && roles.includes("write"));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface ShareDeps {
  readonly sharing: FolderSharing | undefined;
  /** The pass's own resolver (cached): a destination with nothing to upload was not resolved while planning. */
  readonly resolve: (destination: MirrorDestination) => Promise<ResolvedDestination>;
  readonly signal: AbortSignal;
}

/** `reports` are the pass's destination reports, in the order of `mirror.destinations`. */
export async function applyShareRules(
  mirror: MirrorDefinition,
  reports: readonly DestinationReport[],
  deps: ShareDeps,
): Promise<ShareOutcome[]> {
  const { sharing, signal } = deps;
  const outcomes: ShareOutcome[] = [];
  for (const [index, destination] of mirror.destinations.entries()) {
    const rules = destination.share ?? [];
    // A destination that failed this pass is reported as such already; its rules wait for a good pass.
    if (rules.length === 0 || reports[index]?.error) continue;
    const label = destinationLabel(destination);
    const fail = (error: string) =>
      rules.map((rule) => ({
        destination: label,
        to: rule.to,
        role: rule.role,
        outcome: "failed" as const,
        error,
      }));
    if (!sharing) {
      outcomes.push(...fail("this runner cannot share folders"));
      continue;
    }
    let folder: Awaited<ReturnType<FolderSharing["userGrants"]>>;
    let driveId: string;
    try {
      const resolved = await deps.resolve(destination);
      driveId = resolved.driveId;
      folder = await sharing.userGrants(driveId, resolved.folder, signal);
    } catch (err: unknown) {
      outcomes.push(...fail(`could not list the folder's permissions: ${message(err)}`));
      continue;
    }
    for (const rule of rules) {
      const base = { destination: label, to: rule.to, role: rule.role };
      if (!folder) {
        outcomes.push({ ...base, outcome: "no-folder-yet" });
        continue;
      }
      const held = folder.grants.filter((g) => g.email.toLowerCase() === rule.to.toLowerCase());
      if (held.some((g) => satisfies(g.roles, rule.role))) {
        outcomes.push({ ...base, outcome: "already-granted" });
        continue;
      }
      try {
        await sharing.invite(driveId, folder.itemId, rule.to, rule.role, signal);
        outcomes.push({ ...base, outcome: "granted" });
      } catch (err: unknown) {
        outcomes.push({ ...base, outcome: "failed", error: message(err) });
      }
    }
  }
  return outcomes;
}
