/**
 * Name conflicts on simple upload, `?@microsoft.graph.conflictBehavior=fail|rename`. Sources: Microsoft Learn
 * "Upload or replace the contents of a driveItem" and the conflictBehavior instance attribute ("fail",
 * "replace", "rename"); docs/graph-protocol.md "Simple upload". `rename` picks a free name (the service's choice, e.g.
 * `taken 1.txt`): the test checks that the name differs, not its exact shape.
 */
import { expect, it } from "vitest";
import { errorCodeOf, itemOf } from "../bodies.js";
import { Probe, patternBytes } from "../probe.js";
import type { ConformanceTarget } from "../target.js";

export function conflictFacts(target: () => ConformanceTarget): void {
  it("conflictBehavior=fail on an existing name answers 409; rename creates the file under a new name", async () => {
    const probe = new Probe(target());
    const original = patternBytes(100, 3);
    expect((await probe.simpleUpload("taken.txt", original)).status).toBe(201);

    const refused = await probe.simpleUpload("taken.txt", patternBytes(200, 4), "fail");
    expect(refused.status).toBe(409);
    expect(errorCodeOf(refused)).toBe("nameAlreadyExists");

    const renamed = await probe.simpleUpload("taken.txt", patternBytes(300, 5), "rename");
    expect(renamed.status).toBe(201);
    const copy = itemOf(renamed);
    expect(copy.name.toLowerCase()).not.toBe("taken.txt");
    expect(copy.name.toLowerCase().endsWith(".txt")).toBe(true);
    expect(copy.size).toBe(300);

    // Neither the refused nor the renamed upload touched the original.
    const kept = await probe.wire.graph("GET", probe.itemUrl("taken.txt"), "getItem");
    expect(kept.status).toBe(200);
    expect(itemOf(kept).size).toBe(original.length);
    probe.expectRequests(4);
  });
}
