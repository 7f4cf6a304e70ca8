/**
 * Every behaviour of the emulator a test or a developer can tune. Two profiles: `field` (the default) plays what
 * Microsoft documents AND what field reports show the service doing (docs/graph-protocol.md "What the service does that the
 * documentation barely says"); `lenient` is the older, forgiving emulator for tests that need it. Each field
 * behaviour is one named limit, so a test can switch a single one off. docs/emulator.md "Profiles" lists them
 * with their sources.
 */
import type { ConflictBehavior } from "../core/job/job.js";

const MIB = 1024 * 1024;

export interface EmulatorLimits {
  /** Simple upload (`PUT ...:/content`) above this many bytes gets 413 (docs/graph-protocol.md "Simple upload": 4 MiB). */
  readonly simpleUploadMaxBytes: number;
  /** Every fragment but the last must be a multiple of this (docs/graph-protocol.md: 320 KiB = 327,680 bytes). */
  readonly fragmentMultipleBytes: number;
  /** Fragments must be strictly smaller than this (docs/graph-protocol.md: "under 60 MiB per request"). */
  readonly maxFragmentBytes: number;
  /** `expirationDateTime` slides to now + this after creation and after every accepted fragment. */
  readonly sessionSlidingTtlMs: number;
  /** The upload URL's own token dies this long after creation; PUT/GET then get 401 (docs/graph-protocol.md: 24 h). */
  readonly uploadUrlLifetimeMs: number;
  /** What a request to a dead upload URL gets: 401 (default) or 403, both seen (docs/graph-protocol.md "Expiry"). */
  readonly expiredUploadUrlStatus: 401 | 403;
  /** Page size of `/sites/{id}/drives`; more drives than this produce `@odata.nextLink`. */
  readonly drivesPageSize: number;
  /** Page size of `.../children`. */
  readonly childrenPageSize: number;
  /** Page size of `.../permissions` (driveitem-list-permissions is paged like every Graph collection). */
  readonly permissionsPageSize: number;
  /** Longest decoded server-relative path (site + library + folders + name), docs/graph-protocol.md "Names and paths". */
  readonly maxPathLength: number;
  /** Strict mode: a request to an upload URL carrying `Authorization` is refused with 401 (docs/graph-protocol.md). */
  readonly rejectAuthorizationOnUploadUrl: boolean;
  /** Graph documents in-order fragments; `true` accepts gaps (then status lists several missing ranges). */
  readonly allowOutOfOrderFragments: boolean;
  /** `open` answers `["n-"]`, `closed` answers `["n-{total-1}"]` for the last missing range (both seen). */
  readonly nextExpectedRangesStyle: "open" | "closed";
  /** Conflict behaviour of a session created without one (the doc says `fail`, users see `replace`). */
  readonly sessionDefaultConflictBehavior: ConflictBehavior;
  /**
   * OneDrive for Business: a second session for a file with a live session (also a complete, uncommitted one)
   * gets 409 nameAlreadyExists, whatever the conflict behaviour (OneDrive/onedrive-api-docs#747, #989).
   */
  readonly oneSessionPerFile: boolean;
  /** SharePoint property promotion: completed .docx/.xlsx/.pptx get altered bytes (docs/graph-protocol.md "Integrity"). */
  readonly serviceModifiesOfficeFiles: boolean;
  /**
   * Media and Office files get a new eTag (same cTag) right after the commit answered: the service extracts
   * their metadata in the background (OneDrive/onedrive-api-docs#308, Microsoft's answer there).
   */
  readonly serviceUpdatesMetadata: boolean;
  /**
   * `false`: 0-byte files on business drives carry no quickXorHash (`hashes: {}`), as reported in
   * OneDrive/onedrive-api-docs#1704 and abraunegg/onedrive#2436.
   */
  readonly zeroByteFilesHaveHash: boolean;
  /**
   * A committed file's quickXorHash is absent from its JSON until this many ms (emulator clock) after the commit:
   * the service computes it after answering (modelled on docs/graph-protocol.md "Hashes", unconfirmed). 0 = always present.
   */
  readonly hashDelayMs: number;
  /**
   * `false`: createUploadSession below a missing folder answers 404 itemNotFound (the old OneDrive doc note
   * "the parent folder must exist before you call createSession", OneDrive/onedrive-api-docs#364).
   */
  readonly sessionCreatesMissingParents: boolean;
  /**
   * `true`: a commit that fails after the last byte (409 under `fail`, 507) keeps the session, complete and
   * uncommitted, until it expires, for the documented `@microsoft.graph.sourceUrl` recovery (Microsoft Learn,
   * "Upload large files with an upload session", "Handle upload errors"). `false`: the session is over.
   */
  readonly sessionSurvivesCommitFailure: boolean;
  /** Largest JSON request body the Graph host reads (createUploadSession, folder creation, control API). */
  readonly maxJsonBodyBytes: number;
}

export type EmulatorProfile = "field" | "lenient";
export const EMULATOR_PROFILES: readonly EmulatorProfile[] = ["field", "lenient"];

/** The service as documented and as field reports show it: the default. */
export const FIELD_LIMITS: EmulatorLimits = {
  simpleUploadMaxBytes: 4 * MIB,
  fragmentMultipleBytes: 327_680,
  maxFragmentBytes: 60 * MIB,
  sessionSlidingTtlMs: 15 * 60_000,
  uploadUrlLifetimeMs: 24 * 60 * 60_000,
  expiredUploadUrlStatus: 401,
  drivesPageSize: 100,
  childrenPageSize: 200,
  // Modelling choice, unconfirmed: the service's permissions page size is undocumented; 100 makes paging testable.
  permissionsPageSize: 100,
  maxPathLength: 400,
  rejectAuthorizationOnUploadUrl: true,
  allowOutOfOrderFragments: false,
  nextExpectedRangesStyle: "open",
  sessionDefaultConflictBehavior: "fail",
  oneSessionPerFile: true,
  serviceModifiesOfficeFiles: true,
  serviceUpdatesMetadata: true,
  zeroByteFilesHaveHash: false,
  // 0 in the field profile: hashes are reported missing for empty files (onedrive-api-docs#1704, above) and
  // for files stored before the hash existed (onedrive-api-docs#527), not late after every upload. A late hash
  // is unconfirmed, so tests switch it on with this limit (the engine reads the item again, then accepts the
  // size with a warning) instead of every default upload paying for it.
  hashDelayMs: 0,
  sessionCreatesMissingParents: false,
  sessionSurvivesCommitFailure: true,
  maxJsonBodyBytes: MIB,
};

/** The forgiving emulator of before the field profile: every field behaviour off. */
export const LENIENT_LIMITS: EmulatorLimits = {
  ...FIELD_LIMITS,
  oneSessionPerFile: false,
  serviceModifiesOfficeFiles: false,
  serviceUpdatesMetadata: false,
  zeroByteFilesHaveHash: true,
  hashDelayMs: 0,
  sessionCreatesMissingParents: true,
  sessionSurvivesCommitFailure: false,
};

export const PROFILE_LIMITS: Readonly<Record<EmulatorProfile, EmulatorLimits>> = {
  field: FIELD_LIMITS,
  lenient: LENIENT_LIMITS,
};

/** The default profile's limits (kept for callers written before profiles existed). */
export const DEFAULT_LIMITS: EmulatorLimits = FIELD_LIMITS;
