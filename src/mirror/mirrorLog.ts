/**
 * Structured log events of mirroring: one JSON object per mirror run and per job end (issue 6), a typed union
 * within the one log shape (src/core/shared/log.ts), written by the one JSON-lines writer (src/app/jsonLog.ts).
 * Only counts, names, paths, codes and request-ids: never tokens or upload URLs (docs/design.md invariant 5).
 */
import type { RunRecord } from "../core/ports/mirror.js";
import type { Logger } from "../core/shared/log.js";

export type MirrorLogEvent =
  | ({ readonly event: "mirror-run"; readonly durationMs: number; readonly dryRun: boolean } & Pick<
      RunRecord,
      | "mirror"
      | "runId"
      | "result"
      | "listed"
      | "unchanged"
      | "jobsCreated"
      | "inProgress"
      | "conflicts"
      | "deletions"
      | "errors"
    >)
  | {
      readonly event: "mirror-job-end";
      readonly mirror: string;
      readonly runId: string;
      readonly jobId: string;
      readonly path: string;
      readonly destination: string;
      readonly outcome: string;
      readonly bytes: number;
      readonly durationMs: number;
      readonly errorCode?: string;
      readonly requestId?: string;
    }
  | { readonly event: "mirror-invalid"; readonly mirror: string; readonly problems: readonly string[] };

export type MirrorLogger = Logger<MirrorLogEvent>;
