/** What each fact gets: a fresh counting wire, addresses inside the run folder, and the request count check. */
import { expect } from "vitest";
import { itemByPathUrl } from "../../src/graph/addressing.js";
import type { ConformanceTarget } from "./target.js";
import { Wire } from "./wire.js";

/** Fragment size unit: every fragment but the last is a multiple of 320 KiB (GRAPH.md "Upload sessions"). */
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

  createSession(name: string, behavior: "fail" | "replace" | "rename" = "replace") {
    return this.wire.graph("POST", this.itemUrl(name, "createUploadSession"), "createUploadSession", {
      json: { item: { "@microsoft.graph.conflictBehavior": behavior, name } },
    });
  }

  /** One fragment: `Content-Range: bytes first-last/total`, Content-Length set by fetch for a byte body. */
  putFragment(uploadUrl: string, whole: Uint8Array, first: number, end: number) {
    return this.wire.upload("PUT", uploadUrl, "uploadFragment", {
      bytes: whole.subarray(first, end),
      headers: { "content-range": `bytes ${first}-${end - 1}/${whole.length}` },
    });
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
