import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

/**
 * Temporary folders for the tests of one file, each removed after the test that made it. Call once at the top
 * of a test file: it registers the afterEach that removes them.
 */
export function tempDirsPerTest(prefix: string): {
  /** A new empty folder under the system's temp folder. */
  make(): Promise<string>;
  /** Removes `dir` too after this test (a symlink or a folder made another way). */
  track(dir: string): void;
} {
  const made: string[] = [];
  afterEach(async () => {
    for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  return {
    async make() {
      const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    track(dir) {
      made.push(dir);
    },
  };
}
