/**
 * Builds the HTTP API's dependencies on in-memory twins, with counters that prove "nothing stored, nothing
 * enqueued" after a refused request. Handlers are called directly, as Azure would call them (docs/platform.md).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HttpRequest, InvocationContext } from "@azure/functions";
import type { UploadApiDeps } from "../../src/api/uploadHandlers.js";
import { parseHttpApiConfig } from "../../src/config/httpApi.js";
import type { UploadJob } from "../../src/core/job/job.js";
import { requestCancel } from "../../src/core/pipeline/cancelRequest.js";
import type { StoredJob } from "../../src/core/ports/stores.js";
import { createNetworkPolicy } from "../../src/sources/networkGuard.js";
import { parseKnownHosts } from "../../src/sources/sftp/knownHosts.js";
import type { StagingArea } from "../../src/sources/staging.js";
import { MemoryDestinationIndex } from "../../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../../src/store/memoryJobStore.js";
import { MemoryWakeQueue } from "../../src/store/memoryWakeQueue.js";

export interface Harness {
  readonly deps: UploadApiDeps;
  readonly store: MemoryJobStore;
  readonly queue: MemoryWakeQueue;
  readonly created: UploadJob[][];
  readonly staged: string[];
  readonly cancelled: string[];
  /** A root listed in ALLOWED_FILE_ROOTS, holding `ok.bin`, a folder `dir`, and `escape` -> a file outside. */
  readonly root: string;
  readonly outside: string;
}

export function fileTree(): { root: string; outside: string } {
  const base = mkdtempSync(path.join(tmpdir(), "gm-http-"));
  const root = path.join(base, "root");
  const outside = path.join(base, "outside");
  mkdirSync(path.join(root, "dir"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, "ok.bin"), "hello");
  writeFileSync(path.join(outside, "secret.txt"), "secret");
  symlinkSync(path.join(outside, "secret.txt"), path.join(root, "escape"));
  symlinkSync(outside, path.join(root, "linked-dir"));
  return { root, outside };
}

/** An ed25519 public key blob (type name + 32 bytes): the shape a known_hosts line carries. */
const ED25519_BLOB = Buffer.concat([
  Buffer.from([0, 0, 0, 11]),
  Buffer.from("ssh-ed25519"),
  Buffer.from([0, 0, 0, 32]),
  Buffer.alloc(32, 7),
]).toString("base64");

/** The SFTP servers the harness's SFTP_KNOWN_HOSTS pins: sftp.example.com on 22 and 10.0.0.5 on 2222. */
export const PINNED_SFTP_HOSTS = `sftp.example.com ssh-ed25519 ${ED25519_BLOB}\n[10.0.0.5]:2222 ssh-ed25519 ${ED25519_BLOB}`;

export function harness(env: Record<string, string> = {}): Harness {
  const { root, outside } = fileTree();
  const clock = { now: () => 1_700_000_000_000 };
  const store = new MemoryJobStore();
  const queue = new MemoryWakeQueue(clock);
  const created: UploadJob[][] = [];
  const staged: string[] = [];
  const cancelled: string[] = [];
  const config = parseHttpApiConfig({
    ALLOWED_FILE_ROOTS: root,
    ALLOWED_BLOB_CONTAINERS: "incoming",
    STAGING_MAX_BYTES: "1024",
    HTTP_JSON_MAX_BYTES: "4096",
    ...env,
  });
  const staging: StagingArea = {
    container: config.stagingContainer,
    async stage(requestId, fileName, body) {
      let size = 0;
      for await (const chunk of body as AsyncIterable<Uint8Array>) size += chunk.byteLength;
      staged.push(`${requestId}/${fileName}`);
      return { container: config.stagingContainer, blob: `${requestId}/${fileName}`, size };
    },
  };
  let counter = 0;
  const destinations = new MemoryDestinationIndex();
  const deps: UploadApiDeps = {
    config,
    networkPolicy: createNetworkPolicy(config.urlAllowedNetworks),
    sftpKnownHosts: parseKnownHosts(PINNED_SFTP_HOSTS),
    jobs: {
      createJobs: async (jobs) => {
        created.push([...jobs]);
        await store.createJobs(jobs);
      },
      get: (jobId, requestId) => store.get(jobId, requestId),
      replace: (next, etag) => store.replace(next, etag),
      listByRequest: (id) => store.listByRequest(id),
      listOverdue: (now, limit) => store.listOverdue(now, limit),
    },
    destinations,
    wake: queue,
    staging,
    clock,
    chunkSize: 10 * 1024 * 1024,
    simpleUploadMax: 4 * 1024 * 1024,
    cancel: async (stored: StoredJob, cancelledBy?: string) => {
      cancelled.push(stored.job.jobId);
      await requestCancel(stored, { jobs: store, wake: queue, clock }, undefined, cancelledBy);
    },
    newId: () => `req-${++counter}`,
  };
  return { deps, store, queue, created, staged, cancelled, root, outside };
}

export function context(): InvocationContext {
  return new InvocationContext({ functionName: "test", invocationId: "test-invocation" });
}

export function jsonRequest(body: unknown, query = ""): HttpRequest {
  return new HttpRequest({
    method: "POST",
    url: `http://localhost:7071/api/uploads${query}`,
    headers: { "content-type": "application/json" },
    body: { string: typeof body === "string" ? body : JSON.stringify(body) },
  });
}

export function octetRequest(
  query: string,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
): HttpRequest {
  return new HttpRequest({
    method: "POST",
    url: `http://localhost:7071/api/uploads${query}`,
    headers: { "content-type": "application/octet-stream", ...headers },
    body: { bytes },
  });
}
