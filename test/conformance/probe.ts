/** What each fact gets: a fresh counting wire, addresses inside the run folder, and the request count check. */
import { expect } from "vitest";
import { itemByPathUrl } from "../../src/graph/addressing.js";
import type { ConformanceTarget } from "./target.js";
import { Wire, type WireAnswer } from "./wire.js";

function uploadUrlIn(answer: WireAnswer): string | undefined {
  if (answer.status !== 200 || typeof answer.body !== "object" || answer.body === null) return undefined;
  const url = (answer.body as Record<string, unknown>).uploadUrl;
  return typeof url === "string" ? url : undefined;
}

/**
 * Upload sessions a test opened and has not finished or cancelled. A test that fails half-way would otherwise
 * leave a live session behind (on the real service it blocks the file until it expires: docs/graph-protocol.md), so the
 * suite cancels them after each test, outside the test's request count.
 */
const openSessions = new Map<string, Wire>();

export async function cancelOpenSessions(): Promise<void> {
  for (const [uploadUrl, wire] of [...openSessions]) {
    openSessions.delete(uploadUrl);
    await wire.upload("DELETE", uploadUrl, "uploadCancel (cleanup)").catch(() => undefined);
  }
}

/** Fragment size unit: every fragment but the last is a multiple of 320 KiB (docs/graph-protocol.md "Upload sessions"). */
export const FRAGMENT_UNIT = 327_680;

export class Probe {
  readonly wire: Wire;
  private readonly serverAtStart: number | undefined;

  constructor(readonly target: ConformanceTarget) {
    this.wire = new Wire(target);
    this.serverAtStart = target.serverRequests?.();
  }

  /** `{base}/drives/{id}/root:/{run folder}/{name}` plus an optional `:/suffix`. */
  itemUrl(name: string, suffix?: string): string {
    return itemByPathUrl(
      this.target.graphBaseUrl,
      this.target.driveId,
      `${this.target.folder}/${name}`,
      suffix,
    );
  }

  itemByIdUrl(id: string): string {
    return `${this.target.graphBaseUrl}/drives/${encodeURIComponent(this.target.driveId)}/items/${encodeURIComponent(id)}`;
  }

  /** Simple upload (`PUT .../content`) with an explicit conflict behaviour. */
  simpleUpload(name: string, bytes: Uint8Array, behavior: "fail" | "replace" | "rename" = "replace") {
    const url = `${this.itemUrl(name, "content")}?@microsoft.graph.conflictBehavior=${behavior}`;
    return this.wire.graph("PUT", url, "simpleUpload", { bytes });
  }

  async createSession(
    name: string,
    behavior: "fail" | "replace" | "rename" = "replace",
  ): Promise<WireAnswer> {
    const answer = await this.wire.graph(
      "POST",
      this.itemUrl(name, "createUploadSession"),
      "createUploadSession",
      { json: { item: { "@microsoft.graph.conflictBehavior": behavior, name } } },
    );
    const uploadUrl = uploadUrlIn(answer);
    if (uploadUrl) openSessions.set(uploadUrl, new Wire(this.target));
    return answer;
  }

  /** `DELETE uploadUrl` (no Authorization). */
  async cancelSession(uploadUrl: string): Promise<WireAnswer> {
    const answer = await this.wire.upload("DELETE", uploadUrl, "uploadCancel");
    if (answer.status === 204 || answer.status === 404) openSessions.delete(uploadUrl);
    return answer;
  }

  /** One fragment: `Content-Range: bytes first-last/total`, Content-Length set by fetch for a byte body. */
  async putFragment(uploadUrl: string, whole: Uint8Array, first: number, end: number): Promise<WireAnswer> {
    const answer = await this.wire.upload("PUT", uploadUrl, "uploadFragment", {
      bytes: whole.subarray(first, end),
      headers: { "content-range": `bytes ${first}-${end - 1}/${whole.length}` },
    });
    // 200/201: the file is committed and the session is over.
    if (answer.status === 200 || answer.status === 201) openSessions.delete(uploadUrl);
    return answer;
  }

  /**
   * The test made exactly `n` requests; where the target can see its server's side (the emulator), the server
   * also saw exactly `n` (no retry or redirect hid in between).
   */
  expectRequests(n: number): void {
    expect(this.wire.requests, "requests sent").toBe(n);
    const now = this.target.serverRequests?.();
    if (now !== undefined && this.serverAtStart !== undefined) {
      expect(now - this.serverAtStart, "requests the server saw").toBe(n);
    }
  }
}

/** Deterministic bytes, so a failing hash comparison can be reproduced. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
