import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVE, drive, jobFor, KIB320, startWorld, type World } from "./support.js";

let world: World;
beforeAll(async () => {
  world = await startWorld({ serviceModifiesOfficeFiles: true });
  world.emu.inspect.putItem(DRIVE, "/office/.keep", Buffer.from("x"));
});
afterAll(async () => {
  await world.close();
});

describe("service-modified Office files (SharePoint property promotion)", () => {
  it("a .docx the service rewrote is completed as verified by size only, uploaded once", async () => {
    const { path } = await world.file("report.docx", 2 * KIB320 + 10);
    const run = await drive(
      jobFor(path, { type: "drive", driveId: DRIVE, path: "/office/report.docx" }, { simpleUploadMax: 0 }),
      world.deps(),
    );
    expect(run.job.status, JSON.stringify(run.job.lastError)).toBe("completed");
    expect(run.job.result?.verification).toBe("size-only");
    expect(run.events.at(-1)).toMatchObject({ type: "completed", result: { verification: "size-only" } });
    expect(world.emu.inspect.requestLog().filter((r) => r.route === "createUploadSession")).toHaveLength(1);
  });

  it("other types are still verified by hash on the same drive", async () => {
    const { path } = await world.file("data.bin", 2 * KIB320 + 10);
    const run = await drive(
      jobFor(path, { type: "drive", driveId: DRIVE, path: "/office/data.bin" }, { simpleUploadMax: 0 }),
      world.deps(),
    );
    expect(run.job.result?.verification).toBe("hash");
  });
});
