/**
 * The comparison behind `graph-mirror check` (as `rclone check` does it): files are paired by path, compared by
 * size first and, when the sizes agree, by QuickXorHash computed locally with the project's own implementation
 * (src/core/shared/quickXorHash.ts). Paths pair case-insensitively, because OneDrive and SharePoint do: `A.txt` and
 * `a.txt` are one file there. Folders are not compared, only the files in them.
 */
import type { RemoteEntry } from "./remoteListing.js";

export type CheckStatus = "match" | "differ" | "missing-on-destination" | "missing-on-source";

export interface SourceFile {
  readonly path: string;
  readonly size: number;
  /** Reads the file and returns its QuickXorHash; called only when the sizes agree. */
  quickXorHash(): Promise<string>;
}

export interface CheckedFile {
  readonly path: string;
  readonly status: CheckStatus;
  /** Why `differ`, or `size-only` for a match the destination gave no hash for. */
  readonly reason?: "size" | "hash" | "size-only";
  readonly source?: { readonly size: number; readonly quickXorHash?: string };
  readonly destination?: {
    readonly size: number;
    readonly quickXorHash?: string;
    readonly modified?: string;
  };
}

export interface CheckSummary {
  readonly match: number;
  readonly differ: number;
  readonly missingOnDestination: number;
  readonly missingOnSource: number;
}

export async function compareFiles(
  source: readonly SourceFile[],
  destination: readonly RemoteEntry[],
  signal?: AbortSignal,
): Promise<CheckedFile[]> {
  const remote = new Map<string, RemoteEntry>();
  for (const entry of destination) if (!entry.isFolder) remote.set(pairKey(entry.path), entry);
  const checked: CheckedFile[] = [];
  for (const file of source) {
    signal?.throwIfAborted();
    const key = pairKey(file.path);
    const other = remote.get(key);
    remote.delete(key);
    if (!other) {
      checked.push({ path: file.path, status: "missing-on-destination", source: { size: file.size } });
      continue;
    }
    const there = {
      size: other.size,
      ...(other.quickXorHash ? { quickXorHash: other.quickXorHash } : {}),
      ...(other.modified ? { modified: other.modified } : {}),
    };
    if (file.size !== other.size) {
      checked.push({
        path: file.path,
        status: "differ",
        reason: "size",
        source: { size: file.size },
        destination: there,
      });
      continue;
    }
    if (!other.quickXorHash) {
      // Office files the service rewrote, or a hash not computed yet: only the size can be compared.
      checked.push({
        path: file.path,
        status: "match",
        reason: "size-only",
        source: { size: file.size },
        destination: there,
      });
      continue;
    }
    const hash = await file.quickXorHash();
    const same = hash === other.quickXorHash;
    checked.push({
      path: file.path,
      status: same ? "match" : "differ",
      ...(same ? {} : { reason: "hash" as const }),
      source: { size: file.size, quickXorHash: hash },
      destination: there,
    });
  }
  for (const other of remote.values())
    checked.push({
      path: other.path,
      status: "missing-on-source",
      destination: {
        size: other.size,
        ...(other.quickXorHash ? { quickXorHash: other.quickXorHash } : {}),
        ...(other.modified ? { modified: other.modified } : {}),
      },
    });
  return checked.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function summarise(files: readonly CheckedFile[]): CheckSummary {
  const count = (status: CheckStatus) => files.filter((f) => f.status === status).length;
  return {
    match: count("match"),
    differ: count("differ"),
    missingOnDestination: count("missing-on-destination"),
    missingOnSource: count("missing-on-source"),
  };
}

function pairKey(path: string): string {
  return path.normalize("NFC").toLowerCase();
}
