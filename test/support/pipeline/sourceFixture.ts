/** The world most pipeline tests share: an emulator on a manual clock and one random source file on disk. */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import type { ManualClock } from "./manualClock.js";

export interface SourceFixture {
  readonly emu: RunningEmulator;
  readonly source: Buffer;
  readonly sourcePath: string;
  close(): Promise<void>;
}

export async function startSourceFixture(
  clock: ManualClock,
  size: number,
  prefix: string,
): Promise<SourceFixture> {
  const emu = await startEmulator({ clock });
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const source = randomBytes(size);
  const sourcePath = path.join(dir, "source.bin");
  await writeFile(sourcePath, source);
  return {
    emu,
    source,
    sourcePath,
    async close() {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
