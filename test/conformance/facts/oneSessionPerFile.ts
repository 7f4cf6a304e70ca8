/**
 * Field report, not documented: OneDrive for Business and SharePoint keep one live upload session per file; a
 * second createUploadSession answers 409 ("An upload session already exists for this file") until the first
 * is deleted or expires. Sources: OneDrive/onedrive-api-docs#747 (Microsoft: the session is tied to the file),
 * #989; microsoftgraph/microsoft-graph-docs-contrib#412; GRAPH.md "What the service does". The emulator plays
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

    const second = await probe.createSession("single.bin");
    let secondUrl: string | undefined;
    if (second.status === 200) secondUrl = sessionOf(second).uploadUrl;
    await annotate(`second createUploadSession: HTTP ${second.status} ${errorCodeOf(second) ?? ""}`.trim());
    try {
      expect(second.status).toBe(409);
      expect(errorCodeOf(second)).toBe("nameAlreadyExists");
    } finally {
      // Leave no live session behind, whatever the service answered.
      if (secondUrl) await probe.wire.upload("DELETE", secondUrl, "uploadCancel");
    }

    expect((await probe.wire.upload("DELETE", uploadUrl, "uploadCancel")).status).toBe(204);
    const third = await probe.createSession("single.bin");
    expect(third.status).toBe(200);
    expect((await probe.wire.upload("DELETE", sessionOf(third).uploadUrl, "uploadCancel")).status).toBe(204);
    probe.expectRequests(5);
  });
}
