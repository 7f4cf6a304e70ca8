/**
 * An upload session's life without bytes. Sources: Microsoft Learn "Upload large files with an upload
 * session": the response carries `uploadUrl` and `expirationDateTime`; "Do not include an Authorization header
 * when you PUT to the uploadUrl" (it is pre-authorised, and usually on another host, e.g. the SharePoint
 * tenant while Graph is graph.microsoft.com); "Resuming an in-progress upload": GET uploadUrl lists
 * `nextExpectedRanges`; "Cancel the upload session": DELETE uploadUrl answers 204, after which the session
 * is gone (404). docs/graph-protocol.md "Upload sessions".
 */
import { expect, it } from "vitest";
import { rangesOf, sessionOf } from "../bodies.js";
import { Probe } from "../probe.js";
import type { ConformanceTarget } from "../target.js";

/** Clocks of test machines drift; an expiry "in the past" by more than this is a real finding. */
const CLOCK_SKEW_MS = 5 * 60_000;

export function sessionLifecycleFacts(target: () => ConformanceTarget): void {
  it("createUploadSession returns an uploadUrl on another origin and a future expirationDateTime", async () => {
    const probe = new Probe(target());
    const created = await probe.createSession("lifecycle.bin");
    expect(created.status).toBe(200);
    const session = sessionOf(created);
    // Compared as a boolean so a failure never prints the URL (it is a credential).
    expect(probe.wire.isOtherOrigin(session.uploadUrl), "uploadUrl is on another origin than Graph").toBe(
      true,
    );
    const expires = Date.parse(session.expirationDateTime);
    expect(Number.isNaN(expires)).toBe(false);
    expect(expires).toBeGreaterThan(Date.now() - CLOCK_SKEW_MS);

    // The upload URL needs no Authorization header: the status request carries none and is answered.
    const status = await probe.wire.upload("GET", session.uploadUrl, "uploadStatus");
    expect(status.status).toBe(200);
    expect(rangesOf(status)[0]?.startsWith("0-")).toBe(true);

    const cancelled = await probe.cancelSession(session.uploadUrl);
    expect(cancelled.status).toBe(204);
    const gone = await probe.wire.upload("GET", session.uploadUrl, "uploadStatus");
    expect(gone.status).toBe(404);
    probe.expectRequests(4);
  });
}
