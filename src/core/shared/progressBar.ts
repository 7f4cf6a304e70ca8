/**
 * A static text progress bar, shared by `graph-mirror status` (src/cli) and the local host's first-pass view
 * (src/localhost). Pure formatting, so it lives below both instead of one importing the other's command.
 */
import { formatBytes } from "./units.js";

/** A static bar: `[██████░░░░░░░░░░░░░░]  30% 3 MiB / 10 MiB`. */
export function progressBar(done: number, size: number | undefined, width = 30): string {
  if (size === undefined || size === 0) return `[${"░".repeat(width)}]   ? ${formatBytes(done)} sent`;
  const ratio = Math.min(1, done / size);
  const filled = Math.round(ratio * width);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${percent} ${formatBytes(done)} / ${formatBytes(size)}`;
}
