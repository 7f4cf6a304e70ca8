import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_SEED,
  type EmulatorSeed,
  parseSeed,
  startEmulator,
} from "../../../src/emulator/index.js";
import { startTestEmulator } from "../../support/emulator.js";

function problemsOf(input: unknown): string[] {
  try {
    parseSeed(input);
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.field}: ${p.rule}`);
    throw err;
  }
  return [];
}

const TWO_TENANTS: EmulatorSeed = {
  tenants: [
    {
      hostname: "fabrikam.sharepoint.com",
      sites: [
        {
          path: "/sites/Archive",
          displayName: "Archive",
          libraries: Array.from({ length: 5 }, (_, i) => ({ name: `Lib ${i}`, webUrlSegment: `Lib${i}` })),
        },
      ],
      users: [{ id: "u-1", userPrincipalName: "sam@fabrikam.com" }],
      tokens: ["fabrikam-token", { token: "sam-token", user: "sam@fabrikam.com" }],
    },
    {
      hostname: "northwind.sharepoint.com",
      sites: [{ path: "/", displayName: "Root", libraries: [{ name: "Documents" }] }],
      tokens: ["northwind-token"],
    },
  ],
};

describe("emulator seed", () => {
  it("accepts DEFAULT_SEED and exports deterministic ids", () => {
    expect(problemsOf(DEFAULT_SEED)).toEqual([]);
    expect(new Set(Object.values(DEFAULT_DRIVE_IDS)).size).toBe(5);
    for (const id of Object.values(DEFAULT_DRIVE_IDS)) expect(id).toMatch(/^b![A-Za-z0-9_-]{64}$/);
  });

  it("names the field and the rule of every problem", () => {
    const problems = problemsOf({
      tenants: [
        {
          hostname: "not a host",
          sites: [
            { path: "sites/NoSlash", displayName: "x" },
            { path: "/sites/Dup", displayName: "a" },
            { path: "/sites/dup", displayName: "b" },
          ],
          users: [{ id: "1", userPrincipalName: "nobody" }],
          tokens: [{ token: "t", sites: ["/sites/Missing"], user: "ghost@x.com" }],
        },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tenants\[0\]\.hostname: must be a DNS hostname/),
        expect.stringMatching(/^tenants\[0\]\.sites\[0\]\.path: must be a server-relative path/),
        expect.stringMatching(/^tenants\[0\]\.users\[0\]\.userPrincipalName: must look like name@domain/),
      ]),
    );
    expect(problemsOf({ tenants: [{ hostname: "a.b.com", tokens: [] }] })).toEqual([
      "tenants[0].tokens: must list at least one accepted token",
    ]);
    const refs = problemsOf({
      tenants: [
        {
          hostname: "a.b.com",
          sites: [
            { path: "/sites/Dup", displayName: "a" },
            { path: "/sites/dup", displayName: "b" },
          ],
          tokens: [{ token: "t", sites: ["/sites/Missing"], user: "ghost@x.com" }],
        },
      ],
    });
    expect(refs).toEqual(
      expect.arrayContaining([
        "tenants[0].sites[1].path: must be unique",
        "tenants[0].tokens[0].sites[0]: must be the path of a site of this tenant",
        "tenants[0].tokens[0].user: must be the id or userPrincipalName of a user of this tenant",
      ]),
    );
  });

  it("rejects bad limits naming the field", async () => {
    await expect(startEmulator({ limits: { drivesPageSize: 0 } })).rejects.toThrow(/limits\.drivesPageSize/);
  });

  it("serves a custom seed: several tenants, isolated from each other, with paged libraries", async () => {
    const emu = await startTestEmulator({ seed: TWO_TENANTS, limits: { drivesPageSize: 2 } });
    try {
      const site = await emu.graph("/sites/fabrikam.sharepoint.com:/sites/Archive", {
        token: "fabrikam-token",
      });
      expect(site.status).toBe(200);
      const { id: siteId } = (await site.json()) as { id: string };
      let next: string | undefined = `${emu.graphBaseUrl}/sites/${siteId}/drives`;
      const libraries: { name: string; webUrl: string }[] = [];
      while (next) {
        const res = await fetch(next, { headers: { authorization: "Bearer fabrikam-token" } });
        const page = (await res.json()) as {
          value: { name: string; webUrl: string }[];
          "@odata.nextLink"?: string;
        };
        expect(page.value.length).toBeLessThanOrEqual(2);
        libraries.push(...page.value);
        next = page["@odata.nextLink"];
      }
      expect(libraries.map((l) => l.name)).toEqual(["Lib 0", "Lib 1", "Lib 2", "Lib 3", "Lib 4"]);
      expect(libraries[3]?.webUrl).toBe("https://fabrikam.sharepoint.com/sites/Archive/Lib3");

      const northwind = await emu.graph("/sites/northwind.sharepoint.com", { token: "fabrikam-token" });
      expect(northwind.status).toBe(404);
      const own = await emu.graph("/sites/root/drive", { token: "northwind-token" });
      expect(own.status).toBe(200);
      const { id: northwindDrive } = (await own.json()) as { id: string };
      expect((await emu.graph(`/drives/${northwindDrive}`, { token: "fabrikam-token" })).status).toBe(404);
      expect((await emu.graph("/me/drive", { token: "sam-token" })).status).toBe(200);
      expect((await emu.graph("/me/drive", { token: "fabrikam-token" })).status).toBe(400);
      expect((await emu.graph("/sites/root", { token: "dev-token" })).status).toBe(401);
      expect(emu.acceptedTokens).toEqual(["fabrikam-token", "sam-token", "northwind-token"]);
    } finally {
      await emu.close();
    }
  });
});
