/**
 * Rate and ETA text for the progress bars. Both are "—" until they can be known (no bytes sent yet, no time
 * passed, nothing left): never NaN, Infinity or cli-progress's own "NF"/"LL" placeholders (issue 15 item 2).
 */
import { formatBytes } from "../../core/shared/units.js";

const UNKNOWN = "—";

export function formatRate(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return UNKNOWN;
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export function formatEta(remainingBytes: number, bytesPerSecond: number | undefined): string {
  if (remainingBytes <= 0) return "0s";
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return UNKNOWN;
  const seconds = Math.ceil(remainingBytes / bytesPerSecond);
  if (!Number.isFinite(seconds) || seconds <= 0) return UNKNOWN;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  const hours = Math.floor(minutes / 60);
  return hours < 100 ? `${hours}h${String(minutes % 60).padStart(2, "0")}m` : `more than 4 days`;
}
