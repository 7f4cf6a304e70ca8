import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { QuickXorHash } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import { createSession, patternBytes, putFragment, startTestEmulator } from "../../support/emulator.js";

const MIB = 1024 * 1024;

describe("emulator memory stays flat for big uploads (disk mode)", () => {
  it("takes 512 MiB in 10 MiB fragments without RSS growing with the file size", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "graph-mirror-emulator-"));
    // lenient: the upload goes below a folder that does not exist yet, and the test reads the hash at once.
    const emu = await startTestEmulator({ profile: "lenient", dataDir });
    try {
      const total = 512 * MIB;
      const fragmentSize = 10 * MIB;
      const fragment = patternBytes(fragmentSize, 42);
      const expected = new QuickXorHash();
      const url = await createSession(emu, DEFAULT_DRIVE_IDS.opsDocuments, "/big/half-gib.bin");
      let baseline = 0;
      let peak = 0;
      let last: Response | undefined;
      for (let offset = 0, index = 0; offset < total; offset += fragmentSize, index++) {
        const length = Math.min(fragmentSize, total - offset);
        // Vary every fragment so a mix-up of offsets would change the hash.
        fragment.writeUInt32LE(index, 0);
        const body = fragment.subarray(0, length);
        expected.update(body);
        last = await putFragment(url, body, offset, total);
        if (offset + length < total) {
          expect(last.status).toBe(202);
          await last.body?.cancel();
        }
        const rss = process.memoryUsage().rss;
        if (index === 1) baseline = rss;
        peak = Math.max(peak, rss);
      }
      expect(last?.status).toBe(201);
      const item = (await last?.json()) as { size: number; file: { hashes: { quickXorHash: string } } };
      expect(item.size).toBe(total);
      expect(item.file.hashes.quickXorHash).toBe(expected.digest());
      const blobs = await readdir(path.join(dataDir, "blobs"));
      const sizes = await Promise.all(
        blobs.map(async (b) => (await stat(path.join(dataDir, "blobs", b))).size),
      );
      expect(sizes).toContain(total);
      // Generous bound: growth must not track the 512 MiB that went through.
      expect(peak - baseline).toBeLessThan(100 * MIB);
    } finally {
      await emu.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
