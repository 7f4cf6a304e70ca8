/**
 * The step machine's view of Microsoft Graph. src/graph implements it on fetch; unit tests of the step machine
 * use a scripted in-memory twin. Every method throws {@link GraphFailure} for HTTP and network failures.
 */
import type { ConflictBehavior, Destination, ResolvedTarget } from "../job/job.js";

export interface DriveItem {
  readonly id: string;
  readonly name?: string;
  readonly size: number;
  readonly webUrl?: string;
  readonly eTag?: string;
  /** The content tag: changes only when the content does, unlike the eTag (docs/graph-protocol.md "What the service does"). */
  readonly cTag?: string;
  /** `file.hashes.quickXorHash` (base64), when the service has computed it. */
  readonly quickXorHash?: string;
  /** `lastModifiedDateTime` (ms since epoch), when given: tells whether the item changed after a session began. */
  readonly modifiedAt?: number;
}

export interface ResolvedDrive {
  readonly driveId: string;
  /**
   * The decoded server-relative path of the drive's root (e.g. `/sites/Ops/Shared Documents`), when known:
   * docs/graph-protocol.md limits site path + library + folders + name to 400 characters.
   */
  readonly rootPath?: string;
}

export interface SessionInfo {
  readonly uploadUrl: string;
  /** `expirationDateTime` in ms since epoch, when the server sent one. */
  readonly expiresAt?: number;
  readonly nextExpectedRanges?: readonly string[];
}

export interface SessionStatus {
  readonly nextExpectedRanges: readonly string[];
  readonly expiresAt?: number;
}

export type FragmentOutcome =
  | { readonly kind: "accepted"; readonly nextExpectedRanges: readonly string[]; readonly expiresAt?: number }
  | { readonly kind: "completed"; readonly item: DriveItem };

export interface GraphPort {
  /** The drive a destination names (`drive` destinations need no call). */
  resolveDrive(destination: Destination, signal?: AbortSignal): Promise<ResolvedDrive>;
  simpleUpload(
    target: ResolvedTarget,
    bytes: Uint8Array,
    conflict: ConflictBehavior,
    signal?: AbortSignal,
  ): Promise<DriveItem>;
  createUploadSession(
    target: ResolvedTarget,
    options: { readonly conflict: ConflictBehavior },
    signal?: AbortSignal,
  ): Promise<SessionInfo>;
  uploadFragment(
    uploadUrl: string,
    fragment: { readonly start: number; readonly bytes: Uint8Array; readonly total: number },
    signal?: AbortSignal,
    options?: { readonly timeoutMs?: number },
  ): Promise<FragmentOutcome>;
  /**
   * Commits a session that holds every byte but whose commit failed: `PUT` the item with
   * `@microsoft.graph.sourceUrl` set to the upload URL (Microsoft's "Upload large files with an upload
   * session", "Handling commit errors").
   */
  commitUploadSession(
    target: ResolvedTarget,
    uploadUrl: string,
    conflict: ConflictBehavior,
    signal?: AbortSignal,
  ): Promise<DriveItem>;
  /**
   * Creates the target's missing parent folders (one lookup per folder, a create where missing). Resolves to
   * the number of requests it made (the request budget counts them).
   */
  ensureParentFolders(target: ResolvedTarget, signal?: AbortSignal): Promise<number>;
  getUploadStatus(uploadUrl: string, signal?: AbortSignal): Promise<SessionStatus>;
  cancelUploadSession(uploadUrl: string, signal?: AbortSignal): Promise<void>;
  /** The item at a path, or undefined when there is none (404). */
  getItem(target: ResolvedTarget, signal?: AbortSignal): Promise<DriveItem | undefined>;
}
