/**
 * docs/design.md invariant 5 in mirroring: a URL source's query (a SAS token) and the text of MIRRORS never reach run
 * errors, the history, the log or a ConfigError.
 */
import { describe, expect, it } from "vitest";
import type { RemoteItem } from "../../../src/core/ports/mirror.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { parseMirrorDefinitions, validateMirrors } from "../../../src/mirror/definitions.js";
import type { MirrorLogEvent } from "../../../src/mirror/mirrorLog.js";
import { DestinationResolver } from "../../../src/mirror/resolver.js";
import { runMirrorPass } from "../../../src/mirror/runner.js";
import { createNetworkPolicy } from "../../../src/sources/networkGuard.js";
import { UrlSource } from "../../../src/sources/urlSource.js";
import { MemoryHistoryStore } from "../../../src/store/historyMemory.js";
import { MemoryManifestStore } from "../../../src/store/manifestMemory.js";

const SAS = "sv=2024-08-04&se=2030-01-01&sp=r&sig=S3cretSignature%3D";

describe("secrets in mirroring", () => {
  it("a URL source refused for its scheme names the URL without its query", () => {
    let caught: unknown;
    try {
      new UrlSource(`http://files.example.com/a.bin?${SAS}`, { policy: createNetworkPolicy([]) });
    } catch (err: unknown) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toContain("http://files.example.com/a.bin");
    expect((caught as Error).message).not.toContain("S3cretSignature");
  });

  it("MIRRORS that is not JSON is refused without quoting the setting's text", () => {
    let caught: unknown;
    try {
      parseMirrorDefinitions('{"sas":S3cretSignature}', {
        allowedFileRoots: [],
        settingName: "MIRRORS",
      });
    } catch (err: unknown) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(/^invalid configuration: MIRRORS: must be valid JSON \(/);
    expect((caught as Error).message).not.toContain("S3cret");
  });

  it("a listing failure quoting a SAS URL is recorded and logged without the SAS", async () => {
    const events: MirrorLogEvent[] = [];
    const history = new MemoryHistoryStore();
    const clock = { now: () => 1_800_000_000_000 };
    const unused = async (): Promise<never> => {
      throw new Error("not expected");
    };
    const directory = {
      resolveDrive: unused,
      getItemByPath: async (): Promise<RemoteItem | undefined> => undefined,
      createFolder: unused,
      deleteItem: unused,
    };
    const definitions = validateMirrors(
      [
        {
          name: "m",
          source: { type: "url", urls: ["https://files.example.com/a.bin"] },
          destinations: [{ type: "drive", driveId: "d1", path: "/dest" }],
        },
      ],
      { allowedFileRoots: [], settingName: "MIRRORS" },
    );
    const report = await runMirrorPass(definitions, {
      clock,
      manifest: new MemoryManifestStore(),
      history,
      directory,
      resolver: new DestinationResolver(directory, clock, 60_000),
      newId: () => "job-1",
      jobSettings: { chunkSize: 327_680, simpleUploadMax: 4_194_304 },
      listerFor: () => ({
        description: "1 URL",
        list: async () => {
          throw new Error(`GET https://files.example.com/a.bin?${SAS} failed: socket hang up`);
        },
      }),
      jobs: { submit: unused, check: unused },
      log: (event) => events.push(event),
    });
    expect(report.runs[0]?.run.result).toBe("failed");
    const recorded = JSON.stringify({ runs: await history.recentRuns({ mirror: "m", limit: 5 }), events });
    expect(recorded).toContain("socket hang up");
    expect(recorded).not.toContain("S3cretSignature");
  });
});
