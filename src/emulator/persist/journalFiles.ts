/**
 * The files behind durable mode, next to `blobs/` in the data directory:
 * - `state.json`: a snapshot of every row, replaced atomically (temp file, fsync, rename, fsync of the folder);
 * - `journal-<generation>.jsonl`: one line per flush since that snapshot, appended and fsynced.
 * A crash can only tear the journal's last line, which loading ignores; a snapshot is either the old or the new
 * one. Compaction writes a snapshot of the next generation, then starts its journal and deletes the old one.
 */
import { type FileHandle, open, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../../core/shared/validationError.js";
import { writeFileAtomic } from "../../store/atomicFile.js";
import {
  type Batch,
  batchSchema,
  type DriveRow,
  type ItemRow,
  itemKey,
  type PermissionRow,
  permissionKey,
  type SessionRow,
  type Snapshot,
  snapshotSchema,
} from "./rows.js";

export const SNAPSHOT_FILE = "state.json";
const journalFile = (generation: number): string => `journal-${generation}.jsonl`;

export interface LoadedRows {
  readonly generation: number;
  readonly drives: Map<string, DriveRow>;
  readonly items: Map<string, ItemRow>;
  readonly sessions: Map<string, SessionRow>;
  readonly permissions: Map<string, PermissionRow>;
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && "code" in err && err.code === "ENOENT";
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err: unknown) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

function damaged(file: string, rule: string): ConfigError {
  return new ConfigError([{ field: file, rule }], "emulator data directory");
}

function parseLine(text: string): Batch | undefined {
  try {
    const parsed = batchSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function applyBatch(rows: LoadedRows, batch: Batch): void {
  for (const drive of batch.drives ?? []) rows.drives.set(drive.id, drive);
  for (const item of batch.items ?? []) rows.items.set(itemKey(item.drive, item.id), item);
  for (const [drive, id] of batch.removedItems ?? []) rows.items.delete(itemKey(drive, id));
  for (const session of batch.sessions ?? []) rows.sessions.set(session.id, session);
  for (const id of batch.endedSessions ?? []) rows.sessions.delete(id);
  for (const row of batch.permissions ?? [])
    rows.permissions.set(permissionKey(row.drive, row.item, row.id), row);
  for (const [drive, item, id] of batch.removedPermissions ?? [])
    rows.permissions.delete(permissionKey(drive, item, id));
}

/** The rows the last run left, or undefined when the folder holds no state yet (first start). */
export async function loadRows(dir: string): Promise<LoadedRows | undefined> {
  const snapshotPath = path.join(dir, SNAPSHOT_FILE);
  const text = await readOptional(snapshotPath);
  if (text === undefined) return undefined;
  let snapshot: Snapshot;
  try {
    const parsed = snapshotSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw damaged(snapshotPath, `is not an emulator snapshot (${parsed.error.message})`);
    snapshot = parsed.data;
  } catch (err: unknown) {
    if (err instanceof ConfigError) throw err;
    throw damaged(snapshotPath, "must contain valid JSON");
  }
  const rows: LoadedRows = {
    generation: snapshot.generation,
    drives: new Map(snapshot.drives.map((d) => [d.id, d])),
    items: new Map(snapshot.items.map((i) => [itemKey(i.drive, i.id), i])),
    sessions: new Map(snapshot.sessions.map((s) => [s.id, s])),
    permissions: new Map((snapshot.permissions ?? []).map((p) => [permissionKey(p.drive, p.item, p.id), p])),
  };
  const journalPath = path.join(dir, journalFile(snapshot.generation));
  const lines = (await readOptional(journalPath))?.split("\n") ?? [];
  // The text after the last newline is a line a crash cut short (or nothing): never acknowledged, ignored.
  lines.pop();
  lines.forEach((line, index) => {
    const batch = parseLine(line);
    if (batch) applyBatch(rows, batch);
    else if (index < lines.length - 1) throw damaged(journalPath, `line ${index + 1} is not a journal entry`);
  });
  return rows;
}

async function syncPath(file: string, flags: string): Promise<void> {
  const handle = await open(file, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces the snapshot atomically, then removes every other generation's journal and leftover temp files. */
export async function writeSnapshot(dir: string, snapshot: Snapshot): Promise<void> {
  // 0600: the snapshot holds each open session's upload secret (an upload URL is a credential).
  await writeFileAtomic(path.join(dir, SNAPSHOT_FILE), JSON.stringify(snapshot), { syncDirectory: true });
  const keep = journalFile(snapshot.generation);
  const stale = (await readdir(dir)).filter(
    (name) => (/^journal-\d+\.jsonl$/.test(name) && name !== keep) || name.endsWith(".tmp"),
  );
  await Promise.all(stale.map((name) => rm(path.join(dir, name), { force: true })));
}

/** Appends batches to one generation's journal, each one line, fsynced before append() resolves. */
export class JournalWriter {
  private constructor(
    private readonly handle: FileHandle,
    private lineCount: number,
  ) {}

  static async open(dir: string, generation: number): Promise<JournalWriter> {
    // Always a fresh generation: nothing of an earlier file with this name may be replayed.
    // 0600 like the snapshot: journal lines carry new sessions' upload secrets.
    const handle = await open(path.join(dir, journalFile(generation)), "w", 0o600);
    await syncPath(dir, "r");
    return new JournalWriter(handle, 0);
  }

  get lines(): number {
    return this.lineCount;
  }

  async append(batch: Batch): Promise<void> {
    await this.handle.appendFile(`${JSON.stringify(batch)}\n`);
    await this.handle.datasync();
    this.lineCount++;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
