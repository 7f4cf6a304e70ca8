/**
 * A mirror definition's `share` rules against the Graph emulator: applied once after a successful pass (the
 * users can then be seen on the destination folder), skipped on the next pass (no invite sent), reported in
 * the run record and the pass summary; a failing rule makes the pass partial; rules are validated by field.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertSharingAllowed } from "../../../src/auth/sharingGate.js";
import { StaticTokenProvider } from "../../../src/auth/staticToken.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_USERS,
  READ_ONLY_TOKEN,
  startEmulator,
} from "../../../src/emulator/index.js";
import { GraphHttp } from "../../../src/graph/http.js";
import { validateMirrors } from "../../../src/mirror/definitions.js";
import { GraphDriveDirectory } from "../../../src/mirror/graphDirectory.js";
import { formatPass } from "../../../src/mirror/passSummary.js";
import { applyShareRules } from "../../../src/mirror/shareRules.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;
const megan = DEFAULT_USERS.megan.userPrincipalName;
const adele = DEFAULT_USERS.adele.userPrincipalName;

function mirror(world: MirrorWorld, share: unknown) {
  return {
    name: "shared",
    source: { type: "file", path: world.source },
    destinations: [{ type: "drive", driveId: DRIVE, path: "/team/exports", share }],
  };
}

async function folderGrants(world: MirrorWorld): Promise<string[]> {
  const item = world.emu.inspect.item(DRIVE, "/team/exports");
  const res = await fetch(`${world.emu.graphBaseUrl}/drives/${DRIVE}/items/${item?.id}/permissions`, {
    headers: { authorization: "Bearer dev-token" },
  });
  const body = (await res.json()) as {
    value: { roles: string[]; inheritedFrom?: unknown; grantedToV2: { user?: { email: string } } }[];
  };
  return body.value
    .filter((p) => p.grantedToV2.user && !p.inheritedFrom)
    .map((p) => `${p.grantedToV2.user?.email}:${p.roles[0]}`);
}

describe("mirror share rules", () => {
  let world: MirrorWorld;
  beforeEach(async () => {
    world = await startMirrorWorld();
    await world.write("a.txt", "alpha");
  });
  afterEach(async () => world.close());

  it("grants after a successful pass, once; the next pass finds the grants and sends no invite", async () => {
    const rules = [
      { to: megan, role: "write" },
      { to: adele, role: "read" },
    ];
    const first = await world.run([mirror(world, rules)]);
    const run = first.pass.runs[0];
    expect(run?.run.result).toBe("ok");
    expect(run?.run).toMatchObject({ sharesGranted: 2, sharesExisting: 0 });
    expect(run?.shares?.map((s) => s.outcome)).toEqual(["granted", "granted"]);
    expect((await folderGrants(world)).sort()).toEqual([`${adele}:read`, `${megan}:write`]);
    const summary = formatPass(first.pass, first.jobs, false);
    expect(summary).toContain(`  shared write on drive:${DRIVE}:/team/exports/ for ${megan}`);

    world.emu.inspect.clearLog();
    const second = await world.run([mirror(world, rules)]);
    expect(second.pass.runs[0]?.run).toMatchObject({ result: "ok", sharesGranted: 0, sharesExisting: 2 });
    expect(world.emu.inspect.requestLog().filter((r) => r.route === "invite")).toEqual([]);
    expect(formatPass(second.pass, second.jobs, false)).toContain(
      `  already shared read on drive:${DRIVE}:/team/exports/ for ${adele}`,
    );
    const history = await (await world.state()).history.recentRuns({ mirror: "shared", limit: 5 });
    expect(history.map((r) => [r.sharesGranted, r.sharesExisting])).toEqual([
      [0, 2],
      [2, 0],
    ]);
  });

  it("upgrades a read grant when the rule asks for write", async () => {
    await world.run([mirror(world, [{ to: megan, role: "read" }])]);
    const again = await world.run([mirror(world, [{ to: megan, role: "write" }])]);
    expect(again.pass.runs[0]?.shares?.map((s) => s.outcome)).toEqual(["granted"]);
    expect(await folderGrants(world)).toEqual([`${megan}:write`]);
  });

  it("reports a rule the service refuses as an error of a partial pass", async () => {
    const result = await world.run([mirror(world, [{ to: "nobody@contoso.onmicrosoft.com", role: "read" }])]);
    const run = result.pass.runs[0];
    expect(run?.run.result).toBe("partial");
    expect(run?.run.errors.join("\n")).toMatch(
      /share read with nobody@contoso\.onmicrosoft\.com: .*could not be resolved/,
    );
    expect(formatPass(result.pass, result.jobs, false).join("\n")).toMatch(
      /share FAILED read on .* for nobody@/,
    );
  });

  it("shares nothing with a read-only token: nothing was mirrored, no invite is sent", async () => {
    const result = await world.run([mirror(world, [{ to: megan, role: "read" }])], {
      token: READ_ONLY_TOKEN,
    });
    expect(result.pass.runs[0]?.shares?.some((s) => s.outcome === "granted")).not.toBe(true);
    expect(world.emu.inspect.requestLog().filter((r) => r.route === "invite")).toEqual([]);
  });
});

describe("share rules with a token known not to share", () => {
  it("are refused before any request, with the guidance, as permissions grant is", async () => {
    const emu = await startEmulator();
    try {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const readOnly = `${part({ alg: "none" })}.${part({ scp: "Files.Read.All Sites.Read.All", tid: "t", oid: "u" })}.s`;
      const tokens = new StaticTokenProvider(readOnly);
      const http = new GraphHttp({ baseUrl: emu.graphBaseUrl, tokens, requestTimeoutMs: 10_000 });
      const directory = new GraphDriveDirectory(http, (signal) => assertSharingAllowed(tokens, signal));
      const rules = { name: "m", source: { type: "file", path: "/x" } };
      const destination = { type: "drive", driveId: DRIVE, path: "/team" } as const;
      const shares = await applyShareRules(
        { ...rules, destinations: [{ ...destination, share: [{ to: megan, role: "read" }] }] } as never,
        [{}] as never,
        {
          sharing: directory.sharing,
          resolve: async () => ({ driveId: DRIVE, folder: "/team" }) as never,
          signal: AbortSignal.timeout(10_000),
        },
      );
      expect(shares).toHaveLength(1);
      expect(shares[0]?.outcome).toBe("failed");
      expect(shares[0]?.error).toMatch(/sharing refused before any request.*Files\.ReadWrite\.All/s);
      expect(emu.inspect.requestLog()).toHaveLength(0);
    } finally {
      await emu.close();
    }
  });
});

describe("share rule validation", () => {
  it.each([
    [[{ to: "megan", role: "read" }], "destinations[0].share[0].to", /e-mail address/],
    [[{ to: megan, role: "owner" }], "destinations[0].share[0].role", /"read" or "write"/],
    [[{ to: megan, role: "read", extra: 1 }], "destinations[0].share[0].extra", /not a known field/],
    [
      [
        { to: megan, role: "read" },
        { to: megan.toUpperCase(), role: "write" },
      ],
      "destinations[0].share[1].to",
      /again/,
    ],
    ["everyone", "destinations[0].share", /must be a list/],
  ])("%j is refused at %s", (share, field, rule) => {
    const definitions = validateMirrors(
      [
        {
          name: "m",
          source: { type: "file", path: "/tmp" },
          destinations: [{ type: "drive", driveId: "d", share }],
        },
      ],
      { allowedFileRoots: ["/tmp"], settingName: "MIRRORS" },
    );
    const problems = definitions.invalid[0]?.error.problems ?? [];
    expect(problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, rule: expect.stringMatching(rule) })]),
    );
  });
});
