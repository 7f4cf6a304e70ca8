import type { Stats } from "node:fs";
import type { SourceFingerprint } from "../../core/ports/common.js";

/**
 * Size plus mtimeMs, exactly as the engine's file source records it (src/sources/localFile.ts), so the manifest,
 * the listing and the job compare like with like (docs/design.md invariant 1).
 */
export function fileFingerprint(stats: Pick<Stats, "size" | "mtimeMs">): SourceFingerprint {
  return { size: stats.size, version: String(stats.mtimeMs) };
}
