/**
 * Uploading in fragments. Sources: Microsoft Learn "Upload large files with an upload session": fragments are
 * multiples of 320 KiB (327,680 bytes) but the last; each accepted fragment answers 202 with
 * `nextExpectedRanges`; the last one 201 (or 200) with the driveItem; GET uploadUrl lists the missing ranges;
 * "If the client sends a fragment the server has already received, the server will respond with HTTP 416
 * Requested Range Not Satisfiable". The hash is checked against our own QuickXorHash (src/core/shared/quickXorHash.ts).
 * `nextExpectedRanges` entries are `"{next}-"` or `"{next}-{total-1}"`: both are seen (docs/graph-protocol.md).
 */
import { expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { itemOf, rangesOf, sessionOf } from "../bodies.js";
import { FRAGMENT_UNIT, Probe, patternBytes } from "../probe.js";
import type { ConformanceTarget } from "../target.js";

function expectNext(ranges: readonly string[], next: number, total: number): void {
  expect(ranges).toHaveLength(1);
  expect([`${next}-`, `${next}-${total - 1}`]).toContain(ranges[0]);
}

export function fragmentFacts(target: () => ConformanceTarget): void {
  it("fragments of 320 KiB get 202 with nextExpectedRanges, status lists the missing range, an overlap gets 416, the last fragment 201 with size and our quickXorHash", async () => {
    const probe = new Probe(target());
    const bytes = patternBytes(2 * FRAGMENT_UNIT + 1000, 7);
    const total = bytes.length;
    const created = await probe.createSession("fragments.bin");
    expect(created.status).toBe(200);
    const { uploadUrl } = sessionOf(created);

    const first = await probe.putFragment(uploadUrl, bytes, 0, FRAGMENT_UNIT);
    expect(first.status).toBe(202);
    expectNext(rangesOf(first, "fragment answer"), FRAGMENT_UNIT, total);

    const status = await probe.wire.upload("GET", uploadUrl, "uploadStatus");
    expect(status.status).toBe(200);
    expectNext(rangesOf(status), FRAGMENT_UNIT, total);

    const overlap = await probe.putFragment(uploadUrl, bytes, 0, FRAGMENT_UNIT);
    expect(overlap.status).toBe(416);

    const second = await probe.putFragment(uploadUrl, bytes, FRAGMENT_UNIT, 2 * FRAGMENT_UNIT);
    expect(second.status).toBe(202);
    expectNext(rangesOf(second, "fragment answer"), 2 * FRAGMENT_UNIT, total);

    const last = await probe.putFragment(uploadUrl, bytes, 2 * FRAGMENT_UNIT, total);
    expect(last.status).toBe(201);
    const item = itemOf(last);
    expect(item.name).toBe("fragments.bin");
    expect(item.size).toBe(total);
    expect(item.quickXorHash).toBe(quickXorHashOf(bytes));
    probe.expectRequests(6);
  });
}
