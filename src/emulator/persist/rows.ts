/**
 * What the emulator keeps on disk in durable mode (`dataDir`), as plain JSON rows: items, upload sessions and
 * each drive's id serial. A snapshot holds every row; a journal line holds the rows one flush changed. Rows are
 * validated on load so a damaged file is reported by name instead of corrupting the served state.
 */
import { z } from "zod";

const fileSystemInfoSchema = z.strictObject({
  createdDateTime: z.string().optional(),
  lastModifiedDateTime: z.string().optional(),
});

const count = z.number().int().nonnegative();

export const itemRowSchema = z.strictObject({
  drive: z.string().min(1),
  id: z.string().min(1),
  kind: z.enum(["root", "folder", "file"]),
  name: z.string(),
  parentId: z.string().optional(),
  /** File name under `blobs/`. */
  blob: z.string().optional(),
  size: count,
  quickXorHash: z.string().optional(),
  /** Field profile: the instant the hash shows in the item's JSON (absent: always shown). */
  hashVisibleAt: z.number().optional(),
  eTagVersion: count,
  cTagVersion: count,
  createdAt: z.number(),
  modifiedAt: z.number(),
  fileSystemInfo: fileSystemInfoSchema.optional(),
  /** Set by PATCH. */
  description: z.string().optional(),
});
export type ItemRow = z.infer<typeof itemRowSchema>;

export const sessionRowSchema = z.strictObject({
  id: z.string().min(1),
  /** The upload URL's `tempauth`: stored so the URL a client persisted keeps working after a restart. */
  secret: z.string().min(1),
  drive: z.string().min(1),
  folders: z.array(z.string()),
  name: z.string().min(1),
  targetItemId: z.string().optional(),
  conflictBehavior: z.enum(["fail", "replace", "rename"]),
  deferCommit: z.boolean(),
  fileSystemInfo: fileSystemInfoSchema.optional(),
  blob: z.string().min(1),
  createdAt: z.number(),
  urlExpiresAt: z.number(),
  expiresAt: z.number(),
  total: count.optional(),
  /** Received half-open intervals, all of whose bytes were fsynced before this row was written. */
  ranges: z.array(z.tuple([count, count])),
  /** QuickXorHash state over the contiguous prefix (absent: recomputed from the bytes at completion). */
  hash: z.strictObject({ vector: z.string(), length: count }).optional(),
  awaitingCommit: z.boolean(),
});
export type SessionRow = z.infer<typeof sessionRowSchema>;

/** A user permission an invite created (handlers/permissionStore.ts); kept so durable mode keeps sharing. */
export const permissionRowSchema = z.strictObject({
  id: z.string().min(1),
  drive: z.string().min(1),
  item: z.string().min(1),
  role: z.enum(["read", "write"]),
  userId: z.string().min(1),
  email: z.string().min(1),
  displayName: z.string(),
});
export type PermissionRow = z.infer<typeof permissionRowSchema>;

export const driveRowSchema = z.strictObject({ id: z.string().min(1), nextSerial: count });
export type DriveRow = z.infer<typeof driveRowSchema>;

export const snapshotSchema = z.strictObject({
  format: z.literal("graph-mirror-emulator/1"),
  generation: count,
  drives: z.array(driveRowSchema),
  items: z.array(itemRowSchema),
  sessions: z.array(sessionRowSchema),
  /** Absent in snapshots written before the permissions API was modelled. */
  permissions: z.array(permissionRowSchema).optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** One flush: rows written whole (upserts) and keys removed. Item ids and session ids are never reused. */
export const batchSchema = z.strictObject({
  drives: z.array(driveRowSchema).optional(),
  items: z.array(itemRowSchema).optional(),
  removedItems: z.array(z.tuple([z.string(), z.string()])).optional(),
  sessions: z.array(sessionRowSchema).optional(),
  endedSessions: z.array(z.string()).optional(),
  permissions: z.array(permissionRowSchema).optional(),
  /** [drive, item, permission id]. */
  removedPermissions: z.array(z.tuple([z.string(), z.string(), z.string()])).optional(),
});
export type Batch = z.infer<typeof batchSchema>;

export const itemKey = (drive: string, id: string): string => `${drive}|${id}`;
export const permissionKey = (drive: string, item: string, id: string): string => `${drive}|${item}|${id}`;
