/**
 * What the built CLI loads before its first request (issue 17, docs/upload.md "Memory"): `--version` loads no
 * command, and an upload (a dry run: every static import of the command, nothing sent) loads none of the
 * libraries only other paths need. Modules are listed by a module hook and the CommonJS cache, in the child.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS, DEFAULT_TOKEN, startEmulator } from "../../src/emulator/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin", "graph-mirror.js");
let dir: string;

beforeAll(async () => {
  // Compile the CLI the way `npm run build` does (as test/e2e/cli-upload.test.ts).
  await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    { cwd: ROOT },
  ).catch(() => undefined);
  if (!existsSync(path.join(ROOT, "dist/src/cli/main.js"))) throw new Error("the CLI did not build");
  dir = await mkdtemp(path.join(os.tmpdir(), "gm-startup-"));
  const log = JSON.stringify(path.join(dir, "modules.log"));
  await writeFile(
    path.join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function load(url, context, next) { appendFileSync(${log}, url + "\\n"); return next(url, context); }`,
  );
  await writeFile(
    path.join(dir, "register.mjs"),
    `import { register } from "node:module";
register(${JSON.stringify(pathToFileURL(path.join(dir, "hooks.mjs")).href)});`,
  );
  await writeFile(
    path.join(dir, "cjs.cjs"),
    // Node's own modules too (process.moduleLoadList), as "internal:<name>": undici is one of them.
    `process.on("exit", () => require("node:fs").appendFileSync(${log}, [...Object.keys(require.cache), ...process.moduleLoadList.map((m) => "internal:" + m)].join("\\n") + "\\n"));`,
  );
  await writeFile(path.join(dir, "a.txt"), "hello");
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function modulesOf(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; modules: string[] }> {
  await rm(path.join(dir, "modules.log"), { force: true });
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--require", path.join(dir, "cjs.cjs"), "--import", path.join(dir, "register.mjs"), BIN, ...args],
    { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, GRAPH_ACCESS_TOKEN: "t", ...env } },
  );
  const modules = (await readFile(path.join(dir, "modules.log"), "utf8")).split("\n").filter(Boolean);
  return { stdout, modules };
}

const packageOf = (module: string) => /node_modules[\\/]((@[^\\/]+[\\/])?[^\\/]+)/.exec(module)?.[1];

describe("CLI start-up", () => {
  it("answers --version without loading any command", async () => {
    const { stdout, modules } = await modulesOf(["--version"]);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(modules.some((m) => m.includes("dist/src/cli/main.js"))).toBe(true);
    expect(modules.filter((m) => /cli[\\/]commands[\\/](?!index\.js)/.test(m))).toEqual([]);
  }, 60_000);

  it("uploads without loading zod, cron-parser, the progress bars or the other credentials' libraries", async () => {
    const { stdout, modules } = await modulesOf([
      "upload",
      "a.txt",
      "--to",
      "drive:b!x:/in/",
      "--dry-run",
      "--json",
    ]);
    expect(stdout).toContain("would upload a.txt");
    expect(modules.some((m) => m.includes("dist/src/cli/commands/upload.js"))).toBe(true);
    const packages = new Set(modules.map(packageOf).filter((p) => p !== undefined));
    for (const heavy of [
      "zod",
      "cron-parser",
      "luxon",
      "cli-progress",
      "tweetnacl",
      "proper-lockfile",
      "ssh2",
    ])
      expect(packages.has(heavy), heavy).toBe(false);
    expect([...packages].filter((p) => p.startsWith("@azure/") || p.startsWith("@opentelemetry/"))).toEqual(
      [],
    );
  }, 60_000);

  it("uploads to Graph without loading fetch's undici (src/graph/transport.ts)", async () => {
    const emu = await startEmulator({});
    try {
      const { modules } = await modulesOf(
        ["upload", "a.txt", "--to", `drive:${DEFAULT_DRIVE_IDS.opsDocuments}:/startup/`, "--json"],
        { GRAPH_BASE_URL: emu.graphBaseUrl, GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN },
      );
      expect(emu.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, "/startup/a.txt")?.toString()).toBe(
        "hello",
      );
      // The list is real: Node's own HTTP client is in it.
      expect(modules).toContain("internal:NativeModule _http_client");
      expect(modules.filter((m) => m.startsWith("internal:") && m.includes("undici"))).toEqual([]);
    } finally {
      await emu.close();
    }
  }, 60_000);
});
