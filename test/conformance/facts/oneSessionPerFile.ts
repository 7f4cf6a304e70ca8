/**
 * Field report, not documented: OneDrive for Business and SharePoint keep one live upload session per file; a
 * second createUploadSession answers 409 ("An upload session already exists for this file") until the first
 * is deleted or expires. Sources: OneDrive/onedrive-api-docs#747 (Microsoft: the session is tied to the file),
 * #989; microsoftgraph/microsoft-graph-docs-contrib#412; docs/graph-protocol.md "What the service does". The emulator plays
 * it as `oneSessionPerFile` (field profile). A live run that disagrees means that limit should change.
 */
import { expect, it } from "vitest";
import { errorCodeOf, sessionOf } from "../bodies.js";
import { Probe } from "../probe.js";
import type { ConformanceTarget } from "../target.js";

export function oneSessionPerFileFacts(target: () => ConformanceTarget): void {
  it("a second createUploadSession for a file with a live session answers 409 until the first is deleted (field report)", async ({
    annotate,
  }) => {
    const probe = new Probe(target());
    const first = await probe.createSession("single.bin");
    expect(first.status).toBe(200);
    const { uploadUrl } = sessionOf(first);

    // A second session, if the service grants one, is cancelled by the suite after the test (probe.ts).
    const second = await probe.createSession("single.bin");
    await annotate(`second createUploadSession: HTTP ${second.status} ${errorCodeOf(second) ?? ""}`.trim());
    expect(second.status).toBe(409);
    expect(errorCodeOf(second)).toBe("nameAlreadyExists");

    expect((await probe.cancelSession(uploadUrl)).status).toBe(204);
    const third = await probe.createSession("single.bin");
    expect(third.status).toBe(200);
    expect((await probe.cancelSession(sessionOf(third).uploadUrl)).status).toBe(204);
    probe.expectRequests(5);
  });
}
