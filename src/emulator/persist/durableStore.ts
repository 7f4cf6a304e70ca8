/**
 * Durable mode (`dataDir`, `graph-mirror emulator --data DIR`): items, per-drive id serials and open upload
 * sessions survive a restart, so a local run's manifest and resumable jobs (kept by Azurite) stay true to the
 * drive. Every change marks its item or session dirty; `flush()` (run by the server before each answer) writes
 * the dirty rows as one fsynced journal line, so an acknowledged change is on disk and a change costs O(rows it
 * touched), never O(all files). The journal is folded into a snapshot at start and whenever it outgrows the
 * state. Blob bytes are fsynced before a session's ranges claim them (content/diskContent.ts), and a replaced or
 * deleted blob's file is deleted only once the journal no longer points at it.
 */
import { QuickXorHash } from "../../core/shared/quickXorHash.js";
import { firstMissing } from "../byteRanges.js";
import type { DiskContentStore } from "../content/diskContent.js";
import type { GrantRecord, PermissionObserver } from "../handlers/permissionStore.js";
import type { ItemRecord, StoredItem, StoredTree, TreeObserver } from "../itemTree.js";
import type { SessionObserver, UploadSession } from "../sessions.js";
import type { EmulatorState } from "../state.js";
import { JournalWriter, type LoadedRows, loadRows, writeSnapshot } from "./journalFiles.js";
import {
  type Batch,
  type DriveRow,
  type ItemRow,
  itemKey,
  type PermissionRow,
  permissionKey,
  type SessionRow,
  type Snapshot,
} from "./rows.js";

/** Journal lines allowed beyond twice the rows of the last snapshot before compaction. */
const COMPACT_AFTER_LINES = 1000;

function itemRow(item: ItemRecord): ItemRow {
  return {
    drive: item.driveId,
    id: item.id,
    kind: item.kind,
    name: item.name,
    ...(item.parent ? { parentId: item.parent.id } : {}),
    ...(item.content?.storageKey ? { blob: item.content.storageKey } : {}),
    size: item.size,
    ...(item.quickXorHash !== undefined ? { quickXorHash: item.quickXorHash } : {}),
    ...(item.hashVisibleAt !== undefined ? { hashVisibleAt: item.hashVisibleAt } : {}),
    eTagVersion: item.eTagVersion,
    cTagVersion: item.cTagVersion,
    createdAt: item.createdAt,
    modifiedAt: item.modifiedAt,
    ...(item.fileSystemInfo ? { fileSystemInfo: item.fileSystemInfo } : {}),
    ...(item.description !== undefined ? { description: item.description } : {}),
  };
}

function sessionRow(session: UploadSession): SessionRow {
  const blob = session.blob.storageKey;
  if (blob === undefined) throw new Error("emulator bug: a durable session's blob has no storage key");
  // While a fragment streams in, the running hash covers bytes no range claims yet: store it only when it
  // covers nothing beyond the received prefix (otherwise completion rehashes the stored bytes).
  const hashUsable = session.hash.bytesHashed <= firstMissing(session.ranges);
  return {
    id: session.id,
    secret: session.secret,
    drive: session.driveId,
    folders: [...session.folders],
    name: session.name,
    ...(session.targetItemId !== undefined ? { targetItemId: session.targetItemId } : {}),
    conflictBehavior: session.conflictBehavior,
    deferCommit: session.deferCommit,
    ...(session.fileSystemInfo ? { fileSystemInfo: session.fileSystemInfo } : {}),
    blob,
    createdAt: session.createdAt,
    urlExpiresAt: session.urlExpiresAt,
    expiresAt: session.expiresAt,
    ...(session.total !== undefined ? { total: session.total } : {}),
    ranges: session.ranges.map(([start, end]) => [start, end]),
    ...(hashUsable ? { hash: session.hash.state() } : {}),
    awaitingCommit: session.awaitingCommit,
  };
}

function permissionRow(grant: GrantRecord): PermissionRow {
  return {
    id: grant.id,
    drive: grant.driveId,
    item: grant.itemId,
    role: grant.role,
    userId: grant.userId,
    email: grant.email,
    displayName: grant.displayName,
  };
}

function restoredHash(row: SessionRow): QuickXorHash {
  try {
    return new QuickXorHash(row.hash);
  } catch {
    return new QuickXorHash();
  }
}

export class DurableStore implements TreeObserver, SessionObserver, PermissionObserver {
  private readonly dirtyItems = new Map<string, ItemRecord>();
  private readonly removedItems = new Map<string, [drive: string, id: string]>();
  private readonly dirtySessions = new Map<string, UploadSession>();
  private readonly endedSessions = new Set<string>();
  private readonly dirtyDrives = new Set<string>();
  private readonly dirtyPermissions = new Map<string, GrantRecord>();
  private readonly removedPermissions = new Map<string, [drive: string, item: string, id: string]>();
  private readonly itemsByDrive = new Map<string, ItemRow[]>();
  /** Rows of drives the current seed does not have: kept untouched, so a seed change loses nothing. */
  private foreign: {
    drives: DriveRow[];
    items: ItemRow[];
    sessions: SessionRow[];
    permissions: PermissionRow[];
  } = {
    drives: [],
    items: [],
    sessions: [],
    permissions: [],
  };
  private state: EmulatorState | undefined;
  private journal: JournalWriter | undefined;
  private generation: number;
  private rowsAtCompaction = 0;
  private tail: Promise<void> = Promise.resolve();
  /** A failed write: the dirty rows it took are lost to memory, so every later flush reports it. */
  private failure: unknown;

  private constructor(
    private readonly dir: string,
    private readonly content: DiskContentStore,
    private loaded: LoadedRows | undefined,
  ) {
    this.generation = loaded?.generation ?? 0;
    for (const row of loaded?.items.values() ?? []) {
      const list = this.itemsByDrive.get(row.drive) ?? [];
      list.push(row);
      this.itemsByDrive.set(row.drive, list);
    }
  }

  /** Reads what an earlier run left in `dir` (nothing on a first start). */
  static async open(dir: string, content: DiskContentStore): Promise<DurableStore> {
    return new DurableStore(dir, content, await loadRows(dir));
  }

  /** The drive as stored, for EmulatorState to build its tree from; undefined for a drive new to this folder. */
  storedTree(driveId: string): StoredTree | undefined {
    const rows = this.itemsByDrive.get(driveId);
    if (!rows) return undefined;
    const items: StoredItem[] = rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      name: row.name,
      parentId: row.parentId,
      content: row.blob === undefined ? undefined : this.content.open(row.blob),
      size: row.size,
      quickXorHash: row.quickXorHash,
      ...(row.hashVisibleAt !== undefined ? { hashVisibleAt: row.hashVisibleAt } : {}),
      eTagVersion: row.eTagVersion,
      cTagVersion: row.cTagVersion,
      createdAt: row.createdAt,
      modifiedAt: row.modifiedAt,
      fileSystemInfo: row.fileSystemInfo,
      ...(row.description !== undefined ? { description: row.description } : {}),
    }));
    return { nextSerial: this.loaded?.drives.get(driveId)?.nextSerial ?? rows.length, items };
  }

  /** Every stored user permission; the state keeps those of its drives, attach() keeps the others aside. */
  storedPermissions(): GrantRecord[] {
    return [...(this.loaded?.permissions.values() ?? [])].map((row) => ({
      id: row.id,
      driveId: row.drive,
      itemId: row.item,
      role: row.role,
      userId: row.userId,
      email: row.email,
      displayName: row.displayName,
    }));
  }

  /**
   * Puts the stored sessions back, writes a fresh snapshot (which also records the roots of drives new to this
   * folder) and deletes blob files nothing refers to. Call once, after the state's trees exist.
   */
  async attach(state: EmulatorState): Promise<void> {
    this.state = state;
    const known = (driveId: string) => state.directory.drives.has(driveId);
    const fileBlobs = new Set<string>();
    for (const row of this.loaded?.items.values() ?? []) if (row.blob) fileBlobs.add(row.blob);
    for (const row of this.loaded?.sessions.values() ?? []) {
      if (!known(row.drive)) {
        this.foreign.sessions.push(row);
        continue;
      }
      // A crash between recording a completed file and its session's end leaves both: the file wins.
      const blob = fileBlobs.has(row.blob) ? undefined : this.content.open(row.blob);
      if (!blob) continue;
      state.sessions.restore({
        id: row.id,
        secret: row.secret,
        driveId: row.drive,
        folders: row.folders,
        name: row.name,
        ...(row.targetItemId !== undefined ? { targetItemId: row.targetItemId } : {}),
        conflictBehavior: row.conflictBehavior,
        deferCommit: row.deferCommit,
        ...(row.fileSystemInfo ? { fileSystemInfo: row.fileSystemInfo } : {}),
        blob,
        createdAt: row.createdAt,
        urlExpiresAt: row.urlExpiresAt,
        expiresAt: row.expiresAt,
        total: row.total,
        ranges: row.ranges.map(([start, end]) => [start, end] as const),
        inFlight: undefined,
        hash: restoredHash(row),
        awaitingCommit: row.awaitingCommit,
      });
    }
    this.foreign.items = [...(this.loaded?.items.values() ?? [])].filter((row) => !known(row.drive));
    this.foreign.drives = [...(this.loaded?.drives.values() ?? [])].filter((row) => !known(row.id));
    this.foreign.permissions = [...(this.loaded?.permissions.values() ?? [])].filter(
      (row) => !known(row.drive),
    );
    this.itemsByDrive.clear();
    this.loaded = undefined;
    const snapshot = this.takeSnapshot();
    const referenced = new Set<string>();
    for (const row of [...snapshot.items, ...snapshot.sessions]) if (row.blob) referenced.add(row.blob);
    // Snapshot first: the files removed next are then unknown to every record on disk.
    await this.compact(snapshot);
    await this.content.removeOrphans(referenced);
  }

  itemChanged(item: ItemRecord): void {
    this.dirtyItems.set(itemKey(item.driveId, item.id), item);
    this.dirtyDrives.add(item.driveId);
  }

  sessionChanged(session: UploadSession): void {
    this.dirtySessions.set(session.id, session);
  }

  itemRemoved(item: ItemRecord): void {
    const key = itemKey(item.driveId, item.id);
    this.dirtyItems.delete(key);
    this.removedItems.set(key, [item.driveId, item.id]);
  }

  permissionChanged(grant: GrantRecord): void {
    const key = permissionKey(grant.driveId, grant.itemId, grant.id);
    this.removedPermissions.delete(key);
    this.dirtyPermissions.set(key, grant);
  }

  permissionRemoved(grant: GrantRecord): void {
    const key = permissionKey(grant.driveId, grant.itemId, grant.id);
    this.dirtyPermissions.delete(key);
    this.removedPermissions.set(key, [grant.driveId, grant.itemId, grant.id]);
  }

  sessionEnded(session: UploadSession): void {
    this.dirtySessions.delete(session.id);
    this.endedSessions.add(session.id);
  }

  /** Resolves once every change made before the call is on disk. */
  flush(): Promise<void> {
    const run = this.tail.then(() => this.writeDirty());
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.journal?.close();
    this.journal = undefined;
  }

  private async writeDirty(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const journal = this.journal;
    if (!journal) return;
    const batch = this.takeBatch();
    if (!batch) return;
    const disposed = this.content.takeDisposed();
    try {
      await journal.append(batch);
    } catch (err: unknown) {
      this.failure = err;
      throw err;
    }
    await this.content.deleteFiles(disposed);
    if (journal.lines >= COMPACT_AFTER_LINES + 2 * this.rowsAtCompaction)
      await this.compact(this.takeSnapshot());
  }

  private takeBatch(): Batch | undefined {
    const state = this.state;
    if (!state) return undefined;
    const batch: Batch = {};
    if (this.dirtyDrives.size > 0) {
      batch.drives = [...this.dirtyDrives].map((id) => ({
        id,
        nextSerial: state.trees.get(id)?.nextSerial ?? 0,
      }));
    }
    if (this.dirtyItems.size > 0) batch.items = [...this.dirtyItems.values()].map(itemRow);
    if (this.removedItems.size > 0) batch.removedItems = [...this.removedItems.values()];
    if (this.dirtySessions.size > 0) batch.sessions = [...this.dirtySessions.values()].map(sessionRow);
    if (this.endedSessions.size > 0) batch.endedSessions = [...this.endedSessions];
    if (this.dirtyPermissions.size > 0)
      batch.permissions = [...this.dirtyPermissions.values()].map(permissionRow);
    if (this.removedPermissions.size > 0) batch.removedPermissions = [...this.removedPermissions.values()];
    this.clearDirty();
    return Object.keys(batch).length > 0 ? batch : undefined;
  }

  /** Every row, taken in one synchronous step (so it is consistent) that also clears the dirty sets. */
  private takeSnapshot(): Snapshot {
    const state = this.state;
    if (!state) throw new Error("emulator bug: snapshot before attach");
    const drives: DriveRow[] = [...this.foreign.drives];
    const items: ItemRow[] = [...this.foreign.items];
    for (const [id, tree] of state.trees) {
      drives.push({ id, nextSerial: tree.nextSerial });
      items.push(itemRow(tree.root));
      for (const item of tree.all()) items.push(itemRow(item));
    }
    const sessions = [...this.foreign.sessions, ...state.sessions.all().map(sessionRow)];
    const permissions = [...this.foreign.permissions, ...state.permissions.all().map(permissionRow)];
    this.clearDirty();
    return {
      format: "graph-mirror-emulator/1",
      generation: this.generation + 1,
      drives,
      items,
      sessions,
      permissions,
    };
  }

  private async compact(snapshot: Snapshot): Promise<void> {
    const disposed = this.content.takeDisposed();
    await writeSnapshot(this.dir, snapshot);
    await this.journal?.close();
    this.generation = snapshot.generation;
    this.journal = await JournalWriter.open(this.dir, this.generation);
    this.rowsAtCompaction =
      snapshot.items.length + snapshot.sessions.length + (snapshot.permissions?.length ?? 0);
    await this.content.deleteFiles(disposed);
  }

  private clearDirty(): void {
    this.dirtyItems.clear();
    this.removedItems.clear();
    this.dirtySessions.clear();
    this.endedSessions.clear();
    this.dirtyDrives.clear();
    this.dirtyPermissions.clear();
    this.removedPermissions.clear();
  }
}
