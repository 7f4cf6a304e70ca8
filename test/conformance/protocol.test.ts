/**
 * The Graph drive protocol, written once, run against the target the vitest config provides: the emulator's
 * field profile in `npm test`, a real tenant in `npm run test:live` (docs/emulator.md, "Checking the emulator
 * against Microsoft Graph"). Facts run in order, one at a time, inside one run folder deleted at the end.
 */
import { afterAll, afterEach, beforeAll, describe, inject } from "vitest";
import { conflictFacts } from "./facts/conflicts.js";
import { fragmentFacts } from "./facts/fragments.js";
import { metadataFacts } from "./facts/metadata.js";
import { oneSessionPerFileFacts } from "./facts/oneSessionPerFile.js";
import { sessionLifecycleFacts } from "./facts/sessionLifecycle.js";
import { simpleUploadFacts } from "./facts/simpleUpload.js";
import { cancelOpenSessions } from "./probe.js";
import { type ConformanceTarget, openTarget } from "./target.js";

describe.sequential(`Graph drive protocol on the ${inject("conformanceTarget") ?? "emulator"} target`, () => {
  let opened: ConformanceTarget | undefined;
  beforeAll(async () => {
    opened = await openTarget();
  });
  // A test that failed half-way may have left an upload session open: cancel it.
  afterEach(cancelOpenSessions);
  // Runs after failures too: the run folder and everything in it go.
  afterAll(async () => {
    await cancelOpenSessions();
    await opened?.cleanup();
  });
  const target = (): ConformanceTarget => {
    if (!opened) throw new Error("the conformance target did not open (see the beforeAll error)");
    return opened;
  };

  describe("simple upload", () => simpleUploadFacts(target));
  describe("name conflicts", () => conflictFacts(target));
  describe("upload session lifecycle", () => sessionLifecycleFacts(target));
  describe("fragments", () => fragmentFacts(target));
  describe("one session per file", () => oneSessionPerFileFacts(target));
  describe("metadata", () => metadataFacts(target));
});
