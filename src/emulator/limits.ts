/**
 * Every behaviour of the emulator a test or a developer can tune, with defaults that match Microsoft Graph as
 * strictly as shared/GRAPH.md describes it. docs/emulator.md lists each one.
 */
import type { ConflictBehavior } from "../core/job.js";

const MIB = 1024 * 1024;

export interface EmulatorLimits {
  /** Simple upload (`PUT ...:/content`) above this many bytes gets 413 (GRAPH.md "Simple upload": 4 MiB). */
  readonly simpleUploadMaxBytes: number;
  /** Every fragment but the last must be a multiple of this (GRAPH.md: 320 KiB = 327,680 bytes). */
  readonly fragmentMultipleBytes: number;
  /** Fragments must be strictly smaller than this (GRAPH.md: "under 60 MiB per request"). */
  readonly maxFragmentBytes: number;
  /** `expirationDateTime` slides to now + this after creation and after every accepted fragment. */
  readonly sessionSlidingTtlMs: number;
  /** The upload URL's own token dies this long after creation; PUT/GET then get 401 (GRAPH.md: 24 h). */
  readonly uploadUrlLifetimeMs: number;
  /** What a request to a dead upload URL gets: 401 (default) or 403, both seen (GRAPH.md "Expiry"). */
  readonly expiredUploadUrlStatus: 401 | 403;
  /** Page size of `/sites/{id}/drives`; more drives than this produce `@odata.nextLink`. */
  readonly drivesPageSize: number;
  /** Page size of `.../children`. */
  readonly childrenPageSize: number;
  /** Longest decoded server-relative path (site + library + folders + name), GRAPH.md "Names and paths". */
  readonly maxPathLength: number;
  /** Strict mode: a request to an upload URL carrying `Authorization` is refused with 401 (GRAPH.md). */
  readonly rejectAuthorizationOnUploadUrl: boolean;
  /** Graph documents in-order fragments; `true` accepts gaps (then status lists several missing ranges). */
  readonly allowOutOfOrderFragments: boolean;
  /** `open` answers `["n-"]`, `closed` answers `["n-{total-1}"]` for the last missing range (both seen). */
  readonly nextExpectedRangesStyle: "open" | "closed";
  /** Conflict behaviour of a session created without one (the doc says `fail`, users see `replace`). */
  readonly sessionDefaultConflictBehavior: ConflictBehavior;
  /** OneDrive for Business: a second session for a file with a live session gets 409 (seen, not documented). */
  readonly oneSessionPerFile: boolean;
  /** SharePoint property promotion: completed .docx/.xlsx/.pptx get altered bytes (GRAPH.md "Integrity"). */
  readonly serviceModifiesOfficeFiles: boolean;
  /** Largest JSON request body the Graph host reads (createUploadSession, folder creation, control API). */
  readonly maxJsonBodyBytes: number;
}

export const DEFAULT_LIMITS: EmulatorLimits = {
  simpleUploadMaxBytes: 4 * MIB,
  fragmentMultipleBytes: 327_680,
  maxFragmentBytes: 60 * MIB,
  sessionSlidingTtlMs: 15 * 60_000,
  uploadUrlLifetimeMs: 24 * 60 * 60_000,
  expiredUploadUrlStatus: 401,
  drivesPageSize: 100,
  childrenPageSize: 200,
  maxPathLength: 400,
  rejectAuthorizationOnUploadUrl: true,
  allowOutOfOrderFragments: false,
  nextExpectedRangesStyle: "open",
  sessionDefaultConflictBehavior: "fail",
  oneSessionPerFile: false,
  serviceModifiesOfficeFiles: false,
  maxJsonBodyBytes: MIB,
};
