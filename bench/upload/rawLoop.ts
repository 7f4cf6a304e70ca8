/**
 * The baseline: a bare loop of fetch PUTs of the same chunks (positional reads from the same file) to an upload
 * session on the same emulator; no hashing, no state file, no resilience. The CLI path is measured against it.
 * `body: "buffer"` is the obvious loop (fetch copies a Buffer body); `body: "stream"` sends the same bytes as a
 * one-chunk stream with Content-Length, as the Graph client does: the stricter baseline.
 */
import { open } from "node:fs/promises";
import { DEFAULT_TOKEN } from "../../src/emulator/index.js";
import type { EmulatorProcess } from "./harness.js";

export async function rawUpload(
  emu: EmulatorProcess,
  file: string,
  destination: string,
  chunkSize: number,
  body: "buffer" | "stream",
): Promise<number> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    await ensureFolder(emu, destination);
    const started = performance.now();
    const created = await fetch(
      `${emu.graphBaseUrl}/drives/${emu.driveId}/root:${destination}:/createUploadSession`,
      {
        method: "POST",
        headers: { Authorization: `Bearer ${DEFAULT_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
      },
    );
    const { uploadUrl } = (await created.json()) as { uploadUrl: string };
    for (let offset = 0; offset < size; offset += chunkSize) {
      const length = Math.min(chunkSize, size - offset);
      const buffer = Buffer.allocUnsafe(length);
      await handle.read(buffer, 0, length, offset);
      const headers = {
        "Content-Range": `bytes ${offset}-${offset + length - 1}/${size}`,
        "Content-Length": String(length),
      };
      const response =
        body === "buffer"
          ? await fetch(uploadUrl, { method: "PUT", headers, body: buffer })
          : await fetch(uploadUrl, { method: "PUT", headers, body: oneChunkStream(buffer), duplex: "half" });
      await response.arrayBuffer();
      if (response.status >= 300) throw new Error(`raw PUT failed with ${response.status}`);
    }
    return performance.now() - started;
  } finally {
    await handle.close();
  }
}

function oneChunkStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * The emulator's field profile, like the service, creates no missing parent folder for an upload session
 * (docs/graph-protocol.md): create the destination's folder first (409 when it exists is fine).
 */
async function ensureFolder(emu: EmulatorProcess, destination: string): Promise<void> {
  const name = destination.split("/").filter(Boolean)[0];
  if (!name || destination.split("/").filter(Boolean).length < 2) return;
  const response = await fetch(`${emu.graphBaseUrl}/drives/${emu.driveId}/root/children`, {
    method: "POST",
    headers: { Authorization: `Bearer ${DEFAULT_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, folder: {}, "@microsoft.graph.conflictBehavior": "fail" }),
  });
  await response.arrayBuffer();
  if (!response.ok && response.status !== 409) throw new Error(`creating /${name}: HTTP ${response.status}`);
}
