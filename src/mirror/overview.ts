/**
 * `GET /api/mirrors` (issue 6): each definition with its last run and that run's result so far (uploads finish
 * after the run, so their outcomes come from the history), and each invalid definition with its problems.
 * Nothing secret: URL sources are shown without their query string (it may hold a SAS token).
 */

import type { HistoryStore, RunRecord } from "../core/ports/mirror.js";
import { describeSftp } from "../sources/sftp/sftpSource.js";
import type { MirrorDefinition } from "./definitionSchema.js";
import type { MirrorDefinitions } from "./definitions.js";
import { destinationLabel } from "./destinationKey.js";
import { type Totals, totalsOf } from "./stats.js";

export interface MirrorOverview {
  readonly name: string;
  readonly enabled: boolean;
  readonly source: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly destinations: readonly string[];
  readonly conflictBehavior: string;
  readonly onDestinationChanged: string;
  readonly propagateDeletes: boolean;
  readonly lastRun: RunRecord | null;
  /** Outcomes recorded so far for the last run's jobs; `pending` = created but not finished yet. */
  readonly lastRunResult: (Totals & { readonly pending: number }) | null;
}

export interface MirrorsOverview {
  readonly mirrors: readonly MirrorOverview[];
  readonly invalid: readonly { readonly mirror: string; readonly problems: readonly string[] }[];
}

export async function mirrorsOverview(
  definitions: MirrorDefinitions,
  history: HistoryStore,
): Promise<MirrorsOverview> {
  const mirrors = await Promise.all(
    definitions.valid.map(async (mirror): Promise<MirrorOverview> => {
      const [lastRun] = await history.recentRuns({ mirror: mirror.name, limit: 1 });
      let lastRunResult: MirrorOverview["lastRunResult"] = null;
      if (lastRun) {
        const totals = totalsOf(await history.records({ mirror: mirror.name, runId: lastRun.runId }));
        lastRunResult = { ...totals, pending: Math.max(0, lastRun.jobsCreated - totals.jobs) };
      }
      return {
        name: mirror.name,
        enabled: mirror.enabled,
        source: describeSource(mirror),
        include: mirror.include,
        exclude: mirror.exclude,
        destinations: mirror.destinations.map(destinationLabel),
        conflictBehavior: mirror.conflictBehavior,
        onDestinationChanged: mirror.onDestinationChanged,
        propagateDeletes: mirror.propagateDeletes,
        lastRun: lastRun ?? null,
        lastRunResult,
      };
    }),
  );
  return {
    mirrors,
    invalid: definitions.invalid.map((m) => ({
      mirror: m.mirror,
      problems: m.error.problems.map((p) => `${p.field}: ${p.rule}`),
    })),
  };
}

export function describeSource(mirror: MirrorDefinition): string {
  const { source } = mirror;
  switch (source.type) {
    case "file":
      return `file:${source.path}`;
    case "blob":
      return `blob:${source.container}/${source.prefix}`;
    case "url":
      return source.urls
        .map((u) => {
          const url = new URL(typeof u === "string" ? u : u.url);
          return `${url.protocol}//${url.host}${url.pathname}`;
        })
        .join(", ");
    case "sftp":
      return describeSftp(source);
  }
}
