/**
 * Where the caller goes after the request: an HTTP API job's end is written to history with `requestedBy`
 * (mirror history stays separate), and the local host's stand-in for Easy Auth removes client-supplied
 * principals unless LOCAL_DEV_PRINCIPAL is set, which it turns into the platform's header shape.
 */
import { describe, expect, it } from "vitest";
import { checkCaller, ROLES } from "../../../src/api/caller.js";
import { HTTP_API_HISTORY, recordApiJobEnd } from "../../../src/api/jobHistory.js";
import type { UploadJob } from "../../../src/core/job/job.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { newJob } from "../../../src/core/upload/engine.js";
import { applyPlatformPrincipal } from "../../../src/localhost/platformPrincipal.js";
import { parseLocalHostSettings } from "../../../src/localhost/settings.js";
import { MemoryHistoryStore } from "../../../src/store/historyMemory.js";

const OID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

function apiJob(status: UploadJob["status"]): UploadJob {
  const job = newJob({
    jobId: "req-9-1",
    requestId: "req-9",
    source: { type: "blob", container: "incoming", blob: "a.bin" },
    destination: { type: "drive", driveId: "b!abc", path: "/in/a.bin" },
    conflictBehavior: "replace",
    chunkSize: 10 * 1024 * 1024,
    simpleUploadMax: 4 * 1024 * 1024,
    now: 1_000,
  });
  return { ...job, status, requestedBy: `oid:${OID}`, updatedAt: 5_000 };
}

describe("history of HTTP API jobs", () => {
  it("records a finished job with who asked, under its own partition", async () => {
    const history = new MemoryHistoryStore();
    expect(await recordApiJobEnd(apiJob("uploading"), history)).toBe(false);
    expect(await recordApiJobEnd(apiJob("cancelled"), history)).toBe(true);
    expect(await history.records({})).toEqual([
      {
        mirror: HTTP_API_HISTORY,
        runId: "req-9",
        key: "req-9-1",
        path: "/in/a.bin",
        destination: "drive:b!abc",
        bytes: 0,
        durationMs: 4_000,
        outcome: "cancelled",
        requestedBy: `oid:${OID}`,
        finishedAt: 5_000,
      },
    ]);
  });
});

describe("the local host's principal header", () => {
  const spoofed = Buffer.from(
    JSON.stringify({
      claims: [
        { typ: "oid", val: "attacker" },
        { typ: "roles", val: ROLES.write },
      ],
    }),
  ).toString("base64");

  it("removes a client-supplied principal (and Easy Auth's other headers) without the dev setting", () => {
    const headers = {
      "x-ms-client-principal": spoofed,
      "x-ms-client-principal-id": "attacker",
      "content-type": "application/json",
    };
    applyPlatformPrincipal(headers, undefined);
    expect(headers).toEqual({ "content-type": "application/json" });
  });

  it("sets LOCAL_DEV_PRINCIPAL as the platform would, replacing a client-supplied one", () => {
    const settings = parseLocalHostSettings({
      LOCAL_DEV_PRINCIPAL: JSON.stringify({ oid: OID, roles: [ROLES.write] }),
    });
    const headers: Record<string, string> = { "x-ms-client-principal": spoofed };
    applyPlatformPrincipal(headers, settings.devPrincipalHeader);
    const check = checkCaller(headers["x-ms-client-principal"], ROLES.write);
    expect(check).toEqual({ ok: true, caller: { objectId: OID, roles: [ROLES.write] } });
  });

  it("refuses a LOCAL_DEV_PRINCIPAL that names no caller, naming the setting and the rule", () => {
    for (const value of ["not json", JSON.stringify({ roles: [ROLES.read] }), '{"oid": "x", "roles": "r"}']) {
      expect(() => parseLocalHostSettings({ LOCAL_DEV_PRINCIPAL: value })).toThrow(ConfigError);
      expect(() => parseLocalHostSettings({ LOCAL_DEV_PRINCIPAL: value })).toThrow(/LOCAL_DEV_PRINCIPAL: /);
    }
    expect(parseLocalHostSettings({}).devPrincipalHeader).toBeUndefined();
  });
});
