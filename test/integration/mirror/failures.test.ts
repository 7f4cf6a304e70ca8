import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS, DEFAULT_USERS, OPS_ONLY_TOKEN } from "../../../src/emulator/index.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

const OPS = "https://contoso.sharepoint.com/sites/Ops";
const ops = DEFAULT_DRIVE_IDS.opsDocuments;
const adele = DEFAULT_DRIVE_IDS.adeleOneDrive;

describe("one destination failing, invalid definitions", () => {
  let world: MirrorWorld;
  beforeEach(async () => {
    world = await startMirrorWorld();
    await world.write("status.json", "{}");
  });
  afterEach(async () => {
    await world?.close();
  });

  const mirror = (name = "app") => ({
    name,
    source: { type: "file", path: world.source },
    destinations: [
      { type: "sharepoint", site: OPS, library: "Documents", path: "/Mirror" },
      { type: "onedrive", user: DEFAULT_USERS.adele.userPrincipalName, path: "/Mirror" },
    ],
  });

  it("507 on one destination: the other completes, history shows both outcomes", async () => {
    world.emu.faults.add({
      match: { route: "simpleUpload", pathIncludes: adele },
      fault: { type: "quotaFull" },
    });
    const result = await world.run([mirror()]);
    const byDrive = new Map(
      result.jobs.map((j) => [j.destination.type === "drive" ? j.destination.driveId : "", j]),
    );
    expect(byDrive.get(ops)?.status).toBe("completed");
    expect(byDrive.get(adele)?.status).toBe("failed");
    expect(world.emu.inspect.readItem(ops, "/Mirror/status.json")?.toString()).toBe("{}");

    const records = (await world.state()).history.snapshot().records;
    const outcomes = records.map((r) => [r.destination, r.outcome, r.errorCode ?? null]).sort();
    expect(outcomes).toEqual([
      [`onedrive:${DEFAULT_USERS.adele.userPrincipalName}:/Mirror/`, "failed", "quota-exceeded"],
      [`sharepoint:${OPS}:Documents:/Mirror/`, "completed", null],
    ]);
    const failed = records.find((r) => r.outcome === "failed");
    expect(failed?.requestId).toMatch(/\S+/);
    const jobEnds = world.logs.filter((e) => e.event === "mirror-job-end");
    expect(jobEnds).toHaveLength(2);

    // The failed file is not in the manifest for that destination, so the next pass tries it again.
    world.emu.faults.clear();
    const retry = await world.run([mirror()]);
    expect(retry.jobs.map((j) => j.destination.type === "drive" && j.destination.driveId)).toEqual([adele]);
    expect(world.emu.inspect.readItem(adele, "/Mirror/status.json")?.toString()).toBe("{}");
  });

  it("403 on one destination (a Sites.Selected token): the other completes, history shows both", async () => {
    const result = await world.run([mirror()], { token: OPS_ONLY_TOKEN });
    expect(result.jobs.map((j) => j.status)).toEqual(["completed"]);
    const report = result.pass.runs[0];
    expect(report?.run.result).toBe("partial");
    expect(report?.destinations[1]?.error?.code).toBe("access-denied");
    const records = (await world.state()).history.snapshot().records;
    expect(records.map((r) => [r.outcome, r.errorCode ?? null]).sort()).toEqual([
      ["completed", null],
      ["failed", "access-denied"],
    ]);
  });

  it("invalid definitions are reported by mirror, field and rule, and the valid ones still run", async () => {
    const bad = { ...mirror("broken"), destinations: [{ type: "sharepoint", site: OPS }] };
    const result = await world.run([bad, mirror("good")]);
    expect(result.pass.invalid.map((m) => m.error.message)).toEqual([
      'invalid mirror "broken": destinations[0].library: is required',
    ]);
    expect(result.pass.runs.map((r) => r.mirror)).toEqual(["good"]);
    expect(result.jobs.map((j) => j.status)).toEqual(["completed", "completed"]);
    expect(world.logs.find((e) => e.event === "mirror-invalid")).toMatchObject({
      mirror: "broken",
      problems: ["destinations[0].library: is required"],
    });
    const runs = (await world.state()).history.snapshot().runs;
    expect(runs.map((r) => [r.mirror, r.result]).sort()).toEqual([
      ["broken", "invalid"],
      ["good", "ok"],
    ]);
  });
});
