/**
 * Issue 15 items 3 and 10: what the README promises about Node.js matches what `npm ci` does, and no table in
 * the docs is broken by a stray `|` (GitHub splits a table row on every unescaped `|`, even inside code).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_HOSTNAME, DEFAULT_SITE_PATHS, DEFAULT_USERS } from "../../src/emulator/seed.js";
import { REPO_DIR } from "../support/builtApp.js";

const read = (file: string) => readFileSync(path.join(REPO_DIR, file), "utf8");

describe("the README on Node.js versions", () => {
  const readme = read("README.md");
  const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
  const lock = JSON.parse(read("package-lock.json")) as {
    packages: Record<string, { engines?: { node?: string } | string[] }>;
  };
  /** Installed packages that refuse Node.js 20 in their own engines field: npm warns EBADENGINE for each. */
  const node22Only = Object.entries(lock.packages)
    .filter(
      ([name, p]) => name !== "" && !Array.isArray(p.engines) && /^>=\s*22\b/.test(p.engines?.node ?? ""),
    )
    .map(([name]) => name);

  it("quotes the engines range package.json declares", () => {
    expect(readme).toContain(engines);
  });

  it("says what to expect from npm ci on Node.js 20 when dependencies declare node >=22", () => {
    expect(node22Only.length).toBeGreaterThan(0);
    expect(readme).toContain("EBADENGINE");
    expect(readme).not.toMatch(/Node(\.js)? 20\+/);
  });
});

describe("markdown tables", () => {
  const files = ["README.md", ...readdirSync(path.join(REPO_DIR, "docs")).map((f) => `docs/${f}`)].filter(
    (f) => f.endsWith(".md"),
  );
  const cells = (line: string) => line.replace(/\\\|/g, "").split("|").length;

  it.each(files)("%s: every table row has as many cells as its header", (file) => {
    const lines = read(file).split("\n");
    const broken: string[] = [];
    let header: number | undefined;
    let inFence = false;
    lines.forEach((line, i) => {
      if (line.startsWith("```")) inFence = !inFence;
      if (inFence || !line.startsWith("|")) {
        header = undefined;
        return;
      }
      if (header === undefined) header = cells(line);
      else if (cells(line) !== header) broken.push(`${file}:${i + 1}: ${line.slice(0, 80)}…`);
    });
    expect(broken).toEqual([]);
  });
});

describe("the docs' example users and sites", () => {
  const files = ["README.md", ...readdirSync(path.join(REPO_DIR, "docs")).map((f) => `docs/${f}`)].filter(
    (f) => f.endsWith(".md"),
  );
  const text = files.map((f) => read(f)).join("\n");
  const users = new Set(Object.values(DEFAULT_USERS).map((u) => u.userPrincipalName.toLowerCase()));
  const sites = new Set(
    Object.values(DEFAULT_SITE_PATHS).map((p) => `https://${DEFAULT_HOSTNAME}${p === "/" ? "" : p}`),
  );

  it("uses only users the emulator's seed has (issue 15 item 4), so the examples run against it", () => {
    const named = [
      ...[...text.matchAll(/onedrive:([^:\s`"]+@[^:\s`"]+):/g)].map((m) => m[1] ?? ""),
      ...[...text.matchAll(/"type":\s*"onedrive",\s*"user":\s*"([^"]+)"/g)].map((m) => m[1] ?? ""),
    ];
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((u) => !users.has(u.toLowerCase()))).toEqual([]);
  });

  it("uses only SharePoint sites the emulator's seed has", () => {
    const named = [
      ...text.matchAll(/https:\/\/contoso\.sharepoint\.com(\/sites\/[A-Za-z0-9]+)?(?=[:"`\s/])/g),
    ].map((m) => m[0]);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((site) => !sites.has(site))).toEqual([]);
  });
});
