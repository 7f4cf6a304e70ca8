import { GraphFailure } from "../../core/ports/graphFailure.js";
import type { ReadCommandIo } from "./ls.js";

/** 404 from Graph: nothing at that path (exit 1 with a message); anything else is thrown on. */
export function nothingAt(err: unknown, where: string, io: ReadCommandIo): number {
  if (err instanceof GraphFailure && err.status === 404) {
    io.stderr.write(`graph-mirror: nothing at ${where} (${err.message})\n`);
    return 1;
  }
  throw err;
}
