/**
 * How `graph-mirror ls` prints a listing. Text: one line per entry as `rclone lsl` does (size, modified time,
 * path) plus the QuickXorHash, folders ending in `/`. JSON: the shape of `rclone lsjson` (Path, Name, Size, ModTime,
 * IsDir, ID, Hashes.quickxor — rclone's name for QuickXorHash), so scripts written for rclone read it unchanged.
 */
import type { RemoteEntry } from "./remoteListing.js";

export interface LsJsonEntry {
  readonly Path: string;
  readonly Name: string;
  /** -1 for folders, as rclone lsjson prints them. */
  readonly Size: number;
  readonly ModTime?: string;
  readonly IsDir: boolean;
  readonly ID: string;
  readonly Hashes?: { readonly quickxor: string };
}

export function lsJson(entries: readonly RemoteEntry[]): LsJsonEntry[] {
  return entries.map((entry) => ({
    Path: entry.path,
    Name: entry.name,
    Size: entry.isFolder ? -1 : entry.size,
    ...(entry.modified ? { ModTime: entry.modified } : {}),
    IsDir: entry.isFolder,
    ID: entry.id,
    ...(entry.quickXorHash ? { Hashes: { quickxor: entry.quickXorHash } } : {}),
  }));
}

/** `     12345 2026-01-05 09:00:00.000 AEGlY6Vr8n5nepYlf9LqojP1YJY= reports/q1.csv` */
export function lsLines(entries: readonly RemoteEntry[]): string[] {
  return entries.map((entry) => {
    const size = entry.isFolder ? "-" : String(entry.size);
    const modified = entry.modified ? formatTime(entry.modified) : "-".padEnd(23);
    const hash = (entry.quickXorHash ?? "-").padEnd(28);
    return `${size.padStart(12)} ${modified} ${hash} ${entry.path}${entry.isFolder ? "/" : ""}`;
  });
}

function formatTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return new Date(time).toISOString().replace("T", " ").replace("Z", "");
}
