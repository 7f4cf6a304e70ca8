/** Everything the handlers share: the world (directory + drive trees), sessions, storage, clock, limits, log. */
import type { Clock } from "../core/ports/common.js";
import { Waits } from "./clock.js";
import type { ContentStore } from "./content/contentStore.js";
import type { Directory, DriveRecord } from "./directory.js";
import { type DriveItemJson, driveItemJson } from "./driveItemJson.js";
import { FaultRegistry } from "./faults.js";
import { type GrantRecord, type PermissionObserver, PermissionRegistry } from "./handlers/permissionStore.js";
import { DriveTree, type ItemRecord, type StoredTree, type TreeObserver } from "./itemTree.js";
import type { EmulatorLimits, EmulatorProfile } from "./limits.js";
import { RequestLog } from "./requestLog.js";
import { type SessionObserver, SessionRegistry } from "./sessions.js";

/** Durable storage (persist/durableStore.ts): observes every change and writes it down on `flush()`. */
export interface Durability extends TreeObserver, SessionObserver, PermissionObserver {
  storedTree(driveId: string): StoredTree | undefined;
  /** The user permissions invites created, as stored (handlers/permissionStore.ts). */
  storedPermissions(): readonly GrantRecord[];
  /** Resolves once every change made so far is on disk; the server awaits it before answering. */
  flush(): Promise<void>;
}

/**
 * The largest modelled round trip, wherever it is set (startEmulator, --latency-ms, PUT /_emulator/latency):
 * longer would only be a typo, and every request would outlive its client's timeout.
 */
export const MAX_LATENCY_MS = 600_000;

export class EmulatorState {
  readonly trees = new Map<string, DriveTree>();
  readonly sessions: SessionRegistry;
  readonly permissions: PermissionRegistry;
  readonly faults = new FaultRegistry();
  readonly log = new RequestLog();
  readonly waits = new Waits();
  /** Set once both listeners are bound. */
  graphBaseUrl = "";
  uploadOrigin = "";
  /** Set when the CONNECT proxy runs: requests may arrive addressed to graph.microsoft.com (publicNames.ts). */
  publicNames = false;
  /** Minimum time from a request's arrival to its answer (docs/emulator.md "Latency"); 0 = none. */
  latencyMs = 0;

  constructor(
    readonly directory: Directory,
    readonly clock: Clock,
    readonly limits: EmulatorLimits,
    readonly content: ContentStore,
    readonly durability?: Durability,
    readonly profile: EmulatorProfile = "field",
  ) {
    for (const drive of directory.drives.values()) {
      const stored = durability?.storedTree(drive.id);
      this.trees.set(drive.id, new DriveTree(drive.id, clock, durability, stored));
    }
    this.permissions = new PermissionRegistry(
      durability,
      durability?.storedPermissions().filter((grant) => directory.drives.has(grant.driveId)),
    );
    this.sessions = new SessionRegistry(limits.sessionSlidingTtlMs, limits.uploadUrlLifetimeMs, durability);
  }

  tree(drive: DriveRecord): DriveTree {
    const tree = this.trees.get(drive.id);
    if (!tree) throw new Error(`emulator bug: no tree for drive ${drive.id}`);
    return tree;
  }

  /** An item's JSON as a Graph client sees it now (hashes shown per the profile's hash limits). */
  itemJson(item: ItemRecord, drive: DriveRecord): DriveItemJson {
    return driveItemJson(item, this.tree(drive), drive, {
      now: this.clock.now(),
      // Every drive the emulator serves is OneDrive for Business or a SharePoint library.
      hideZeroByteHash: !this.limits.zeroByteFilesHaveHash,
    });
  }

  /** `origin` defaults to the upload listener's own; through the proxy it is the drive's SharePoint host. */
  uploadUrlOf(sessionId: string, secret: string, origin = this.uploadOrigin): string {
    return `${origin}/up/${sessionId}?tempauth=${secret}`;
  }
}
