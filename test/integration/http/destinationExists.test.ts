/**
 * A destination whose drive, user, site or library does not exist is refused while the request is open (422,
 * naming what is missing and, for a library, the libraries that do exist), against the real emulator over a
 * socket, with one cached Graph lookup per destination drive (issue 15 item 5). Nothing is stored or staged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDestinationCheck } from "../../../src/api/destinationExists.js";
import { postUpload } from "../../../src/api/uploadHandlers.js";
import { StaticTokenProvider } from "../../../src/auth/staticToken.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_HOSTNAME,
  DEFAULT_TOKEN,
  DEFAULT_USERS,
} from "../../../src/emulator/index.js";
import { GraphHttp } from "../../../src/graph/http.js";
import { startTestEmulator, type TestEmulator } from "../../support/emulator.js";
import { context, type Harness, harness, jsonRequest, octetRequest } from "../../support/httpApiHarness.js";

const OPS = `https://${DEFAULT_HOSTNAME}/sites/Ops`;
const blob = { type: "blob", container: "incoming", blob: "a/b.bin" };

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu?.close();
});

function checkedHarness(): Harness {
  const h = harness();
  const http = new GraphHttp({
    baseUrl: emu.graphBaseUrl,
    tokens: new StaticTokenProvider(DEFAULT_TOKEN),
    requestTimeoutMs: 10_000,
  });
  Object.assign(h.deps, { destinationCheck: createDestinationCheck({ http, clock: h.deps.clock }) });
  return h;
}

interface ErrorAnswer {
  error: { code: string; message: string; problems: { field: string; rule: string }[] };
}

async function refused(h: Harness, destination: object): Promise<ErrorAnswer["error"]> {
  const response = await postUpload(h.deps)(
    jsonRequest({ source: blob, destinations: [destination] }),
    context(),
  );
  expect(response.status).toBe(422);
  const answer = (await response.json()) as ErrorAnswer;
  expect(answer.error.code).toBe("destinationNotFound");
  expect(h.created).toEqual([]);
  expect(h.queue.sent).toEqual([]);
  return answer.error;
}

describe("POST /api/uploads asks Graph whether the destination exists (issue 15 item 5)", () => {
  it("names a library the site does not have, with the site URL whole and the libraries it has", async () => {
    const error = await refused(checkedHarness(), {
      type: "sharepoint",
      site: OPS,
      library: "Nope",
      path: "/a.bin",
    });
    expect(error.problems[0]?.field).toBe("destinations[0].library");
    expect(error.message).toContain(`no library named "Nope" on ${OPS};`);
    expect(error.message).toContain("existing libraries: Documents, Reports");
  });

  it("names a site, a drive id and a user that do not exist", async () => {
    const h = checkedHarness();
    const site = await refused(h, {
      type: "sharepoint",
      site: `https://${DEFAULT_HOSTNAME}/sites/Nowhere`,
      library: "Documents",
      path: "/a.bin",
    });
    expect(site.problems[0]).toEqual({
      field: "destinations[0].site",
      rule: `no site at https://${DEFAULT_HOSTNAME}/sites/Nowhere is visible to these credentials`,
    });
    const drive = await refused(h, { type: "drive", driveId: "b!doesNotExist", path: "/a.bin" });
    expect(drive.problems[0]?.field).toBe("destinations[0].driveId");
    expect(drive.message).toContain("b!doesNotExist");
    const user = await refused(h, {
      type: "onedrive",
      user: "nobody@contoso.onmicrosoft.com",
      path: "/a.bin",
    });
    expect(user.problems[0]?.field).toBe("destinations[0].user");
    expect(user.message).toContain("nobody@contoso.onmicrosoft.com");
  });

  it("refuses the ?to= form before staging a byte", async () => {
    const h = checkedHarness();
    const to = encodeURIComponent(`sharepoint:${OPS}:Nope:/in/`);
    const response = await postUpload(h.deps)(
      octetRequest(`?to=${to}&name=a.bin`, new Uint8Array(3)),
      context(),
    );
    expect(response.status).toBe(422);
    const answer = (await response.json()) as ErrorAnswer;
    expect(answer.error.problems[0]?.field).toBe("to.library");
    expect(h.staged).toEqual([]);
    expect(h.queue.sent).toEqual([]);
  });

  it("accepts destinations that exist, asking Graph once per destination drive", async () => {
    const h = checkedHarness();
    const before = emu.inspect.requestLog().length;
    for (const path of ["/one.bin", "/two.bin", "/three.bin"]) {
      const response = await postUpload(h.deps)(
        jsonRequest({
          source: blob,
          destinations: [
            { type: "sharepoint", site: OPS, library: "Reports", path },
            { type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path },
            { type: "onedrive", user: DEFAULT_USERS.adele.userPrincipalName, path },
          ],
        }),
        context(),
      );
      expect(response.status).toBe(202);
    }
    const calls = emu.inspect.requestLog().slice(before);
    // Site + its drives for the library, one drive by id, one user's drive: the same for 3 requests as for 1.
    expect(calls.map((c) => c.route).sort()).toEqual(
      ["getDrive", "getSiteByPath", "getUserDrive", "listSiteDrives"].sort(),
    );
  });
});
