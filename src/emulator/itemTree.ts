/**
 * One drive's items: a tree of folders and files keyed by lower-cased name, because Graph names are
 * case-insensitive (docs/graph-protocol.md "Names and paths": `A.txt` and `a.txt` are the same file).
 */
import type { Clock } from "../core/ports/common.js";
import type { ContentBlob } from "./content/contentStore.js";
import { errors, GraphError } from "./errors.js";
import { guidFrom, itemIdFor } from "./ids.js";

export interface FileSystemInfo {
  readonly createdDateTime?: string;
  readonly lastModifiedDateTime?: string;
}

export interface ItemRecord {
  readonly id: string;
  readonly driveId: string;
  /** Stable GUID behind eTag and cTag. */
  readonly guid: string;
  readonly kind: "root" | "folder" | "file";
  name: string;
  parent: ItemRecord | undefined;
  readonly children: Map<string, ItemRecord>;
  content: ContentBlob | undefined;
  size: number;
  quickXorHash: string | undefined;
  /** The hash is left out of the item's JSON before this instant (the service computes it late; limits.ts). */
  hashVisibleAt: number | undefined;
  /** eTag changes with any change, cTag with content changes (Graph semantics). */
  eTagVersion: number;
  cTagVersion: number;
  readonly createdAt: number;
  modifiedAt: number;
  fileSystemInfo: FileSystemInfo | undefined;
  /** Set by PATCH (metadata only: a new eTag, the same cTag). */
  description?: string;
}

/** Frees replaced or deleted bytes in the background: a blob that cannot be removed only wastes space. */
function release(blob: ContentBlob): void {
  blob.dispose().catch(() => undefined);
}

export interface NewContent {
  readonly blob: ContentBlob;
  readonly size: number;
  readonly quickXorHash: string;
  readonly hashVisibleAt?: number;
  readonly fileSystemInfo?: FileSystemInfo;
}

/** Told of every item created, changed or removed, so durable storage can record just those (persist/). */
export interface TreeObserver {
  itemChanged(item: ItemRecord): void;
  itemRemoved(item: ItemRecord): void;
}

/** An item as durable storage keeps it: the record without its links, which are rebuilt from `parentId`. */
export interface StoredItem {
  readonly id: string;
  readonly kind: ItemRecord["kind"];
  readonly name: string;
  readonly parentId: string | undefined;
  readonly content: ContentBlob | undefined;
  readonly size: number;
  readonly quickXorHash: string | undefined;
  readonly hashVisibleAt?: number;
  readonly eTagVersion: number;
  readonly cTagVersion: number;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly fileSystemInfo: FileSystemInfo | undefined;
  readonly description?: string;
}

/** A drive as an earlier run left it. */
export interface StoredTree {
  /** The serial the next item id is made from, so ids are never reused. */
  readonly nextSerial: number;
  readonly items: readonly StoredItem[];
}

export class DriveTree {
  readonly root: ItemRecord;
  private readonly byId = new Map<string, ItemRecord>();
  private serial = 0;
  private used = 0;

  constructor(
    readonly driveId: string,
    private readonly clock: Clock,
    private readonly observer?: TreeObserver,
    stored?: StoredTree,
  ) {
    this.root = (stored && this.restore(stored)) ?? this.newItem("root", "root", undefined);
  }

  get usedBytes(): number {
    return this.used;
  }

  get nextSerial(): number {
    return this.serial;
  }

  byItemId(id: string): ItemRecord | undefined {
    return this.byId.get(id);
  }

  /** Follows decoded names from `from` (the root by default); undefined when any segment is missing. */
  resolve(segments: readonly string[], from: ItemRecord = this.root): ItemRecord | undefined {
    let current: ItemRecord | undefined = from;
    for (const name of segments) {
      current = current?.children.get(name.toLowerCase());
      if (!current) return undefined;
    }
    return current;
  }

  /** Decoded names from the root to `item` (empty for the root). */
  pathOf(item: ItemRecord): string[] {
    const names: string[] = [];
    for (let current: ItemRecord | undefined = item; current?.parent; current = current.parent) {
      names.unshift(current.name);
    }
    return names;
  }

  createFolder(parent: ItemRecord, name: string): ItemRecord {
    const folder = this.newItem("folder", name, parent);
    this.attach(parent, folder);
    return folder;
  }

  /** Creates every missing folder on the way (Graph does this for path-based uploads). */
  ensureFolders(segments: readonly string[]): ItemRecord {
    let current = this.root;
    for (const name of segments) {
      const next = current.children.get(name.toLowerCase());
      if (next && next.kind === "file") {
        throw new GraphError(
          409,
          "nameAlreadyExists",
          `A file named '${next.name}' is in the way of the path.`,
        );
      }
      current = next ?? this.createFolder(current, name);
    }
    return current;
  }

  /** Writes a file's new content: creates it under `parent`, or replaces `existing` (keeping its id). */
  putFile(parent: ItemRecord, name: string, content: NewContent, existing?: ItemRecord): ItemRecord {
    const now = this.clock.now();
    if (existing) {
      if (existing.kind !== "file") throw errors.nameAlreadyExists("A folder with this name already exists.");
      const old = existing.content;
      this.used += content.size - existing.size;
      existing.content = content.blob;
      existing.size = content.size;
      existing.quickXorHash = content.quickXorHash;
      existing.hashVisibleAt = content.hashVisibleAt;
      existing.eTagVersion++;
      existing.cTagVersion++;
      existing.modifiedAt = now;
      existing.fileSystemInfo = content.fileSystemInfo;
      this.observer?.itemChanged(existing);
      if (old && old !== content.blob) release(old);
      this.touch(parent, now);
      return existing;
    }
    const file = this.newItem("file", name, parent);
    file.content = content.blob;
    file.size = content.size;
    file.quickXorHash = content.quickXorHash;
    file.hashVisibleAt = content.hashVisibleAt;
    file.fileSystemInfo = content.fileSystemInfo;
    this.used += content.size;
    this.attach(parent, file);
    return file;
  }

  /**
   * The service changed the item's metadata on its own (photo/media metadata extraction, Office property
   * promotion; docs/graph-protocol.md "What the service does"): a new eTag, the same content and cTag.
   */
  touchMetadata(item: ItemRecord): void {
    item.eTagVersion++;
    item.modifiedAt = this.clock.now();
    this.observer?.itemChanged(item);
  }

  /**
   * A client's metadata-only PATCH (description, fileSystemInfo): Graph gives the item a new eTag and keeps its
   * cTag, which tags the content only (driveItem resource: "cTag ... not changed if only the metadata is changed").
   */
  updateMetadata(item: ItemRecord, change: { description?: string; fileSystemInfo?: FileSystemInfo }): void {
    if (change.description !== undefined) item.description = change.description;
    if (change.fileSystemInfo !== undefined)
      item.fileSystemInfo = { ...item.fileSystemInfo, ...change.fileSystemInfo };
    this.touchMetadata(item);
  }

  remove(item: ItemRecord): void {
    if (!item.parent) throw errors.invalidRequest("The root of a drive cannot be deleted.");
    item.parent.children.delete(item.name.toLowerCase());
    this.touch(item.parent, this.clock.now());
    const stack = [item];
    for (let next = stack.pop(); next; next = stack.pop()) {
      this.byId.delete(next.id);
      this.observer?.itemRemoved(next);
      this.used -= next.size;
      if (next.content) release(next.content);
      stack.push(...next.children.values());
    }
  }

  /** `name 1.ext`, `name 2.ext`, ... : the first free name, as Graph's `rename` conflict behaviour picks. */
  freeName(parent: ItemRecord, name: string): string {
    if (!parent.children.has(name.toLowerCase())) return name;
    const dot = name.lastIndexOf(".");
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : "";
    for (let n = 1; ; n++) {
      const candidate = `${stem} ${n}${ext}`;
      if (!parent.children.has(candidate.toLowerCase())) return candidate;
    }
  }

  /** Every item but the root, depth first. */
  all(): ItemRecord[] {
    const out: ItemRecord[] = [];
    const visit = (item: ItemRecord): void => {
      for (const child of item.children.values()) {
        out.push(child);
        visit(child);
      }
    };
    visit(this.root);
    return out;
  }

  private newItem(kind: ItemRecord["kind"], name: string, parent: ItemRecord | undefined): ItemRecord {
    let id = itemIdFor(this.driveId, this.serial++);
    // Only a damaged data directory (no stored serial) could make a serial collide; never hand out an id twice.
    while (this.byId.has(id)) id = itemIdFor(this.driveId, this.serial++);
    const now = this.clock.now();
    const item: ItemRecord = {
      id,
      driveId: this.driveId,
      guid: guidFrom(`${this.driveId}|${id}`).toUpperCase(),
      kind,
      name,
      parent,
      children: new Map(),
      content: undefined,
      size: 0,
      quickXorHash: undefined,
      hashVisibleAt: undefined,
      eTagVersion: 1,
      cTagVersion: 1,
      createdAt: now,
      modifiedAt: now,
      fileSystemInfo: undefined,
    };
    this.byId.set(id, item);
    this.observer?.itemChanged(item);
    return item;
  }

  /**
   * Rebuilds the tree from stored items; items whose parent is missing are dropped (their bytes become orphans,
   * removed at start). Undefined when there is no stored root.
   */
  private restore(stored: StoredTree): ItemRecord | undefined {
    this.serial = stored.nextSerial;
    const records = new Map<string, { item: ItemRecord; parentId: string | undefined }>();
    for (const s of stored.items) {
      const item: ItemRecord = {
        id: s.id,
        driveId: this.driveId,
        guid: guidFrom(`${this.driveId}|${s.id}`).toUpperCase(),
        kind: s.kind,
        name: s.name,
        parent: undefined,
        children: new Map(),
        content: s.content,
        size: s.size,
        quickXorHash: s.quickXorHash,
        hashVisibleAt: s.hashVisibleAt,
        eTagVersion: s.eTagVersion,
        cTagVersion: s.cTagVersion,
        createdAt: s.createdAt,
        modifiedAt: s.modifiedAt,
        fileSystemInfo: s.fileSystemInfo,
        ...(s.description !== undefined ? { description: s.description } : {}),
      };
      records.set(s.id, { item, parentId: s.parentId });
    }
    const root = [...records.values()].find((r) => r.item.kind === "root")?.item;
    if (!root) return undefined;
    for (const { item, parentId } of records.values()) {
      const parent = parentId === undefined ? undefined : records.get(parentId)?.item;
      if (item.kind === "root" || !parent || parent.kind === "file") continue;
      item.parent = parent;
      parent.children.set(item.name.toLowerCase(), item);
    }
    const stack = [root];
    for (let next = stack.pop(); next; next = stack.pop()) {
      this.byId.set(next.id, next);
      this.used += next.size;
      stack.push(...next.children.values());
    }
    return root;
  }

  private attach(parent: ItemRecord, child: ItemRecord): void {
    parent.children.set(child.name.toLowerCase(), child);
    this.touch(parent, child.createdAt);
  }

  private touch(folder: ItemRecord, now: number): void {
    folder.eTagVersion++;
    folder.modifiedAt = now;
    this.observer?.itemChanged(folder);
  }
}
