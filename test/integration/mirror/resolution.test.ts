import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticTokenProvider } from "../../../src/auth/staticToken.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  DEFAULT_USERS,
  OPS_ONLY_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { GraphHttp } from "../../../src/graph/http.js";
import type { MirrorDestination } from "../../../src/mirror/definitionSchema.js";
import { GraphDriveDirectory } from "../../../src/mirror/graphDirectory.js";
import { DestinationError, DestinationResolver } from "../../../src/mirror/resolver.js";

const OPS = "https://contoso.sharepoint.com/sites/Ops";

describe("destination resolution against the emulator", () => {
  let emu: RunningEmulator;
  let now = 1_000;
  const clock = { now: () => now };
  const resolver = (token = DEFAULT_TOKEN) =>
    new DestinationResolver(
      new GraphDriveDirectory(
        new GraphHttp({
          baseUrl: emu.graphBaseUrl,
          tokens: new StaticTokenProvider(token),
          requestTimeoutMs: 10_000,
        }),
      ),
      clock,
      60_000,
    );
  const signal = () => AbortSignal.timeout(10_000);
  const sp = (library: string, site = OPS): MirrorDestination => ({
    type: "sharepoint",
    site,
    library,
    path: "/x",
  });

  beforeAll(async () => {
    // One library per page, so finding "Reports" needs the second page of /drives.
    emu = await startEmulator({ limits: { drivesPageSize: 1 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("finds a library on a later page, by name or URL segment, case-insensitively", async () => {
    const r = resolver();
    expect((await r.resolve(sp("REPORTS"), signal())).driveId).toBe(DEFAULT_DRIVE_IDS.opsReports);
    expect((await r.resolve(sp("shared documents"), signal())).driveId).toBe(DEFAULT_DRIVE_IDS.opsDocuments);
    expect((await r.resolve(sp("Documents", `${OPS.toLowerCase()}/`), signal())).driveId).toBe(
      DEFAULT_DRIVE_IDS.opsDocuments,
    );
    const pages = emu.inspect.requestLog().filter((q) => q.route === "listSiteDrives");
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(emu.inspect.requestLog().some((q) => q.path.includes("search"))).toBe(false);
  });

  it("resolves a user's OneDrive by UPN and caches results for the TTL", async () => {
    const r = resolver();
    const user: MirrorDestination = {
      type: "onedrive",
      user: DEFAULT_USERS.adele.userPrincipalName,
      path: "/",
    };
    expect((await r.resolve(user, signal())).driveId).toBe(DEFAULT_DRIVE_IDS.adeleOneDrive);
    emu.inspect.clearLog();
    await r.resolve(user, signal());
    expect(emu.inspect.requestLog()).toEqual([]);
    now += 60_001;
    await r.resolve(user, signal());
    expect(emu.inspect.requestLog().map((q) => q.route)).toEqual(["getUserDrive"]);
  });

  it("says which site was not found", async () => {
    const err = await resolver()
      .resolve(sp("Documents", "https://contoso.sharepoint.com/sites/Nope"), signal())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(err).toMatchObject({ code: "site-not-found", httpStatus: 404 });
    expect(String(err)).toContain("site not found: https://contoso.sharepoint.com/sites/Nope");
    expect(String(err)).toMatch(/request-id \S+/);
  });

  it("lists the libraries that exist when a library is not found", async () => {
    const err = await resolver()
      .resolve(sp("Archive"), signal())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "library-not-found" });
    expect(String(err)).toContain('"Archive"');
    expect(String(err)).toMatch(/Documents.*Reports/);
  });

  it("says which user was not found", async () => {
    const err = await resolver()
      .resolve({ type: "onedrive", user: "nobody@contoso.onmicrosoft.com", path: "/" }, signal())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "user-not-found" });
    expect(String(err)).toContain("nobody@contoso.onmicrosoft.com");
  });

  it("names the missing permission or site grant on 403, and Sites.Selected works for its site", async () => {
    const r = resolver(OPS_ONLY_TOKEN);
    expect((await r.resolve(sp("Documents"), signal())).driveId).toBe(DEFAULT_DRIVE_IDS.opsDocuments);
    const user = await r
      .resolve({ type: "onedrive", user: DEFAULT_USERS.megan.userPrincipalName, path: "/" }, signal())
      .catch((e: unknown) => e);
    expect(user).toMatchObject({ code: "access-denied", httpStatus: 403 });
    expect(String(user)).toContain("Files.ReadWrite.All");
    const site = await r
      .resolve(sp("Documents", "https://contoso.sharepoint.com/"), signal())
      .catch((e: unknown) => e);
    expect(site).toMatchObject({ code: "access-denied" });
    expect(String(site)).toContain('Sites.Selected application permission and a "write" grant on this site');
    expect(String(site)).not.toContain(OPS_ONLY_TOKEN);
  });
});
