import type { SourceRef } from "../job/job.js";
import type { ByteSource } from "./common.js";

/** Turns a job's serialisable source reference into a readable source (src/sources implements it). */
export interface SourceOpener {
  open(ref: SourceRef): ByteSource;
}
