/**
 * The Node floor for small files (docs/upload.md "Against rclone over a modelled WAN"): the least a Node
 * process can do to upload the same small files, so graph-mirror's peak RSS can be judged against the runtime
 * it runs on as well as against rclone (a Go binary). One simple PUT per file on node:https with a keep-alive
 * agent, `concurrency` files at a time, each read whole: no hashing, no state, no retries, no fetch (undici alone
 * costs ~12 MiB, src/nodeHttp.ts). Measured as a child process exactly like the other tools. One argument: JSON
 * of {@link FloorJob}; it imports nothing but Node's own modules. Trusts the emulator's CA through
 * NODE_EXTRA_CA_CERTS, set by the parent.
 */
import { readFile } from "node:fs/promises";
import https from "node:https";
import type { FolderUpload } from "../upload/rawLoop.js";

/** Its files each at most 4 MiB (Graph's simple-upload limit): the floor has no upload sessions. */
export interface FloorJob extends FolderUpload {
  readonly concurrency: number;
  /** Passed in, not imported: importing the emulator's module for its constant would load the emulator. */
  readonly token: string;
}

const job = JSON.parse(process.argv[2] ?? "{}") as FloorJob;
const base = new URL(job.graphBaseUrl);
const agent = new https.Agent({ keepAlive: true, maxSockets: job.concurrency });

function send(method: string, path: string, body: Uint8Array, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: base.hostname,
        port: base.port,
        path: `${base.pathname}${path}`,
        method,
        agent,
        headers: {
          Authorization: `Bearer ${job.token}`,
          "Content-Type": type,
          "Content-Length": body.length,
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          if (status < 300) resolve();
          else reject(new Error(`floor ${method} ${path} failed with ${status}`));
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const folder = JSON.stringify({
  name: job.folder,
  folder: {},
  "@microsoft.graph.conflictBehavior": "replace",
});
await send("POST", `/drives/${job.driveId}/root/children`, Buffer.from(folder), "application/json");
let next = 0;
const worker = async (): Promise<void> => {
  for (let item = job.files[next++]; item; item = job.files[next++]) {
    const body = await readFile(item.file);
    await send(
      "PUT",
      `/drives/${job.driveId}/root:${item.destination}:/content`,
      body,
      "application/octet-stream",
    );
  }
};
await Promise.all(Array.from({ length: Math.max(1, Math.min(job.concurrency, job.files.length)) }, worker));
agent.destroy();
