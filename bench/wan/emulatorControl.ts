/**
 * The bench's side channel to the emulator child (docs/emulator.md "Control API" and "Latency"): set the latency,
 * check that an upload landed whole, delete it again so storage does not grow across rounds. Over HTTPS,
 * trusting only the emulator's local CA (an undici Agent; the bench process started before the CA existed).
 */
import { readFile } from "node:fs/promises";
import { Agent, fetch } from "undici";
import { DEFAULT_TOKEN, type ItemSummary } from "../../src/emulator/index.js";
import type { EmulatorProcess } from "../upload/harness.js";

export interface EmulatorControl {
  setLatency(ms: number): Promise<void>;
  /**
   * Throws unless `/folder` holds exactly `count` files of `bytes` each and, for each name in `hashes`, a file of
   * that name with that QuickXorHash (the emulator's, computed over what it stored): a tool that uploaded the
   * wrong bytes fast must not win.
   */
  verify(folder: string, count: number, bytes: number, hashes?: ReadonlyMap<string, string>): Promise<void>;
  remove(folder: string): Promise<void>;
  close(): Promise<void>;
}

export async function emulatorControl(emu: EmulatorProcess): Promise<EmulatorControl> {
  if (!emu.caPath) throw new Error("the WAN bench needs the emulator in HTTPS mode");
  const dispatcher = new Agent({ connect: { ca: await readFile(emu.caPath, "utf8") } });
  const control = emu.graphBaseUrl.replace(/\/v1\.0$/, "/_emulator");
  const call = async (url: string, init: { method: string; body?: string; token?: boolean }) => {
    const response = await fetch(url, {
      method: init.method,
      dispatcher,
      ...(init.body ? { body: init.body } : {}),
      ...(init.token ? { headers: { authorization: `Bearer ${DEFAULT_TOKEN}` } } : {}),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${init.method} ${url} answered ${response.status}`);
    return text;
  };
  return {
    async setLatency(ms) {
      await call(`${control}/latency`, { method: "PUT", body: JSON.stringify({ ms }) });
    },
    async verify(folder, count, bytes, hashes) {
      const items = JSON.parse(
        await call(`${control}/items?driveId=${encodeURIComponent(emu.driveId)}`, { method: "GET" }),
      ) as ItemSummary[];
      const files = items.filter((i) => i.kind === "file" && i.path.startsWith(`/${folder}/`));
      const whole = files.filter((f) => f.size === bytes).length;
      if (files.length !== count || whole !== count)
        throw new Error(`/${folder}: ${files.length} files (${whole} of ${bytes} bytes), expected ${count}`);
      for (const [name, hash] of hashes ?? []) {
        const found = files.find((f) => f.path === `/${folder}/${name}`);
        if (found?.quickXorHash !== hash)
          throw new Error(
            `/${folder}/${name}: QuickXorHash ${found?.quickXorHash ?? "missing"}, expected ${hash}`,
          );
      }
    },
    async remove(folder) {
      await call(`${emu.graphBaseUrl}/drives/${emu.driveId}/root:/${folder}`, {
        method: "DELETE",
        token: true,
      });
    },
    close: () => dispatcher.close(),
  };
}
