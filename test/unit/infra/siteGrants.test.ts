/**
 * The azd postprovision hook (azure.yaml -> scripts/site-grants.mjs): one Sites.Selected grant per distinct site
 * of the deployed mirror definitions, for the app the deployment uses, printed and never run.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { grantCommands, sitesOf } from "../../../scripts/site-grants.mjs";
import { ROOT } from "./deployment.js";

const APP = "5b1d7e3a-2c4f-4a8b-9e6d-1f0a2b3c4d5e";
const MIRRORS = [
  {
    name: "reports",
    source: { type: "blob", container: "reports" },
    destinations: [
      {
        type: "sharepoint",
        site: "https://contoso.sharepoint.com/sites/Ops/",
        library: "Documents",
        path: "/a/",
      },
      { type: "onedrive", user: "adele@contoso.com", path: "/b/" },
    ],
  },
  {
    name: "exports",
    source: { type: "blob", container: "exports" },
    destinations: [
      { type: "sharepoint", site: "https://contoso.sharepoint.com/sites/ops", library: "Archive", path: "/" },
    ],
  },
  { name: "off", enabled: false, source: {}, destinations: [{ type: "drive", driveId: "b!off", path: "/" }] },
];

describe("scripts/site-grants.mjs", () => {
  it("finds each site once (case-insensitive), skipping disabled mirrors", () => {
    expect(sitesOf(MIRRORS).map((s) => [s.label, s.mirrors])).toEqual([
      ["https://contoso.sharepoint.com/sites/Ops", ["reports", "exports"]],
      ["OneDrive of adele@contoso.com", ["reports"]],
    ]);
    expect(() => sitesOf({ mirrors: [{ name: "x" }] })).toThrow(/mirrors\[0\]\.destinations: must be a list/);
  });

  it("prints a lookup and a write grant per site for the deployment's app", () => {
    const lines = grantCommands(sitesOf(MIRRORS), { GRAPH_AUTH_MODE: "client-secret", GRAPH_CLIENT_ID: APP });
    const grants = lines.filter((l) => l.includes("--method POST"));
    expect(grants).toHaveLength(2);
    for (const grant of grants)
      expect(grant).toContain(`"roles": ["write"], "grantedToIdentities": [{"application": {"id": "${APP}"`);
    expect(lines).toContain(
      "SITE=$(az rest --method GET --uri 'https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com:/sites/Ops?$select=id' --query id -o tsv)",
    );
    expect(lines.join("\n")).toContain(
      "/users/adele%40contoso.com/drive?$select=sharePointIds' --query sharePointIds.siteId",
    );
  });

  it("names the managed identity in managed-identity mode and the national cloud's Graph host", () => {
    const lines = grantCommands(sitesOf(MIRRORS), {
      GRAPH_AUTH_MODE: "managed-identity",
      GRAPH_CLIENT_ID: APP,
      MANAGED_IDENTITY_CLIENT_ID: "mi-client-id",
      GRAPH_CLOUD: "usgov",
    }).join("\n");
    expect(lines).toContain('"id": "mi-client-id"');
    expect(lines).not.toContain(APP);
    expect(lines).toContain("https://graph.microsoft.us/v1.0/sites/");
  });

  it("is azure.yaml's postprovision hook, and prints without running anything", () => {
    const azureYaml = readFileSync(path.join(ROOT, "azure.yaml"), "utf8");
    expect(azureYaml).toMatch(
      /hooks:\n {2}postprovision:\n(?: {4}.*\n)*? {6}run: node scripts\/site-grants\.mjs/,
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), "gm-grants-")), "mirrors.json");
    writeFileSync(file, JSON.stringify(MIRRORS));
    // PATH without az: printing needs nothing else.
    const out = execFileSync(process.execPath, [path.join(ROOT, "scripts", "site-grants.mjs"), file], {
      env: { PATH: "", GRAPH_CLIENT_ID: APP },
      encoding: "utf8",
    });
    expect(out).toMatch(/^Sites\.Selected: grant the app write access/);
    expect(out.match(/--method POST/g)).toHaveLength(2);
    expect(
      execFileSync(process.execPath, [path.join(ROOT, "scripts", "site-grants.mjs")], { encoding: "utf8" }),
    ).toContain("no mirrors in infra/mirrors.json");
  });
});
