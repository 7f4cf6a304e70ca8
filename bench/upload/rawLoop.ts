/**
 * The baseline: a bare loop of fetch PUTs of the same chunks (positional reads from the same file) to an upload
 * session on the same emulator; no hashing, no state file, no resilience. The CLI path is measured against it.
 * `body: "buffer"` is the obvious loop (fetch copies a Buffer body); `body: "stream"` sends the same bytes as a
 * one-chunk stream with Content-Length, as the Graph client does: the stricter baseline.
 */
import { open, readFile } from "node:fs/promises";
import { DEFAULT_SIMPLE_UPLOAD_MAX } from "../../src/core/upload/chunkPlan.js";
import { DEFAULT_TOKEN } from "../../src/emulator/index.js";
import type { EmulatorProcess } from "./harness.js";

/** Where the raw loop uploads: the Graph base URL and a drive. */
export type RawTarget = Pick<EmulatorProcess, "graphBaseUrl" | "driveId">;

export interface RawFile {
  readonly file: string;
  readonly size: number;
  /** Drive path, e.g. `/folder/name.bin`; its folder must exist (the field profile does not create it). */
  readonly destination: string;
}

/**
 * Files to upload into a new folder: what the WAN bench hands its child uploaders (../wan/rawChild.ts,
 * floorChild.ts).
 */
export interface FolderUpload extends RawTarget {
  /** Created at the drive's root first; every destination is inside it. */
  readonly folder: string;
  readonly files: readonly RawFile[];
}

/**
 * The multi-file baseline: `concurrency` workers take the next file from the list, the small ones in one simple
 * PUT, the others through a session in `chunkSize` fragments (rawUpload, Buffer bodies). No retries, no state.
 */
export async function rawUploadFiles(
  emu: RawTarget,
  files: readonly RawFile[],
  chunkSize: number,
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let item = files[next++]; item; item = files[next++]) {
      // Graph's simple-upload limit (docs/graph-protocol.md): smaller files go in one PUT to `.../content`.
      if (item.size <= DEFAULT_SIMPLE_UPLOAD_MAX) await rawSimpleUpload(emu, item);
      else await rawUpload(emu, item.file, item.destination, chunkSize, "buffer");
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
}

async function rawSimpleUpload(emu: RawTarget, item: RawFile): Promise<void> {
  const response = await fetch(
    `${emu.graphBaseUrl}/drives/${emu.driveId}/root:${item.destination}:/content`,
    {
      method: "PUT",
      headers: { Authorization: `Bearer ${DEFAULT_TOKEN}`, "Content-Type": "application/octet-stream" },
      body: await readFile(item.file),
    },
  );
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`raw simple PUT failed with ${response.status}`);
}

/** Creates the folder `/name` at the drive's root (the field profile wants a session's folder to exist). */
export async function rawCreateFolder(emu: RawTarget, name: string): Promise<void> {
  const response = await fetch(`${emu.graphBaseUrl}/drives/${emu.driveId}/root/children`, {
    method: "POST",
    headers: { Authorization: `Bearer ${DEFAULT_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, folder: {}, "@microsoft.graph.conflictBehavior": "replace" }),
  });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`raw folder creation failed with ${response.status}`);
}

export async function rawUpload(
  emu: RawTarget,
  file: string,
  destination: string,
  chunkSize: number,
  body: "buffer" | "stream",
): Promise<number> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const started = performance.now();
    const created = await fetch(
      `${emu.graphBaseUrl}/drives/${emu.driveId}/root:${destination}:/createUploadSession`,
      {
        method: "POST",
        headers: { Authorization: `Bearer ${DEFAULT_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
      },
    );
    if (!created.ok) throw new Error(`raw createUploadSession failed with ${created.status}`);
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
