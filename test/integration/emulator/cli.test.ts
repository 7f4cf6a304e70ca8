import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatorCommand } from "../../../src/cli/commands/emulator.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";

describe("graph-mirror emulator (CLI command)", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "graph-mirror-emulator-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("starts with the built-in seed and prints the URLs, the token and the drives", async () => {
    const { emulator, banner } = await startEmulatorCommand({
      port: "0",
      uploadPort: "0",
      host: "127.0.0.1",
    });
    try {
      expect(banner).toContain(`Graph base URL : ${emulator.graphBaseUrl}`);
      expect(banner).toContain(`Upload origin  : ${emulator.uploadOrigin}`);
      expect(banner).toContain("Accepted token : dev-token");
      expect(banner).toContain(DEFAULT_DRIVE_IDS.opsDocuments);
      expect(banner).toContain("Storage        : memory");
      // The two lines that point a CLI at this emulator (issue 15 item 4).
      expect(banner).toContain(`export GRAPH_BASE_URL=${emulator.graphBaseUrl}\n`);
      expect(banner).toContain("export GRAPH_ACCESS_TOKEN=dev-token\n");
      const res = await fetch(`${emulator.graphBaseUrl}/drives/${DEFAULT_DRIVE_IDS.opsDocuments}`, {
        headers: { authorization: "Bearer dev-token" },
      });
      expect(res.status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it("loads --seed FILE and stores bytes under --data DIR", async () => {
    const seedFile = path.join(dir, "seed.json");
    await writeFile(
      seedFile,
      JSON.stringify({
        tenants: [
          {
            hostname: "local.sharepoint.com",
            sites: [{ path: "/", displayName: "Local", libraries: [{ name: "Documents" }] }],
            tokens: ["local-token"],
          },
        ],
      }),
    );
    const data = path.join(dir, "data");
    const { emulator, banner } = await startEmulatorCommand({
      port: "0",
      uploadPort: "0",
      host: "127.0.0.1",
      seed: seedFile,
      data,
    });
    try {
      expect(banner).toContain("Accepted token : local-token");
      expect(banner).toContain(`Storage        : ${data} (kept across restarts)`);
      const drive = emulator.drives[0];
      const put = await fetch(`${emulator.graphBaseUrl}/drives/${drive?.id}/root:/hello.txt:/content`, {
        method: "PUT",
        body: "on disk",
        headers: { authorization: "Bearer local-token" },
      });
      expect(put.status).toBe(201);
      expect(emulator.inspect.readItem(drive?.id ?? "", "/hello.txt")?.toString()).toBe("on disk");
    } finally {
      await emulator.close();
    }
  });

  it("takes --profile field|lenient, shows it in the banner, and names the option for a bad value", async () => {
    await expect(
      startEmulatorCommand({ port: "0", uploadPort: "0", host: "127.0.0.1", profile: "strict" }),
    ).rejects.toThrow(/--profile: must be field or lenient/);
    const { emulator, banner } = await startEmulatorCommand({
      port: "0",
      uploadPort: "0",
      host: "127.0.0.1",
      profile: "lenient",
    });
    try {
      expect(emulator.profile).toBe("lenient");
      expect(banner).toMatch(/Profile\s+: lenient/);
    } finally {
      await emulator.close();
    }
  });

  it("rejects bad options and seeds naming the field, before starting", async () => {
    await expect(startEmulatorCommand({ port: "x", uploadPort: "70000", host: "127.0.0.1" })).rejects.toThrow(
      /--port: must be a port number.*--upload-port: must be a port number/,
    );
    await expect(
      startEmulatorCommand({
        port: "0",
        uploadPort: "0",
        host: "127.0.0.1",
        seed: path.join(dir, "missing.json"),
      }),
    ).rejects.toThrow(/--seed: must be a readable file \(ENOENT\)/);
    const badSeed = path.join(dir, "bad.json");
    await writeFile(badSeed, JSON.stringify({ tenants: [{ hostname: "x.com", tokens: [] }] }));
    const error = await startEmulatorCommand({
      port: "0",
      uploadPort: "0",
      host: "127.0.0.1",
      seed: badSeed,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(
      "tenants[0].tokens: must list at least one accepted token",
    );
  });

  it("--https --proxy-port prints the CA and the lines a client needs, and a Node client with them gets in", async () => {
    const data = path.join(dir, "https-data");
    const { emulator, banner } = await startEmulatorCommand({
      port: "0",
      uploadPort: "0",
      host: "127.0.0.1",
      data,
      https: true,
      proxyPort: "0",
    });
    try {
      const caPath = path.join(data, "tls", "ca.pem");
      expect(emulator.graphBaseUrl.startsWith("https://")).toBe(true);
      expect(banner).toContain(`NODE_EXTRA_CA_CERTS=${caPath}`);
      expect(banner).toContain(`GRAPH_BASE_URL=${emulator.graphBaseUrl}`);
      expect(banner).toContain(`HTTPS_PROXY=${emulator.proxyUrl}`);
      expect(banner).toContain(`SSL_CERT_FILE=${caPath}`);
      expect(banner).not.toMatch(/PRIVATE KEY/);
      // A separate Node process with only the printed variable trusts the emulator (plain global fetch).
      const script = `fetch(process.env.GRAPH_BASE_URL + "/drives/${DEFAULT_DRIVE_IDS.opsDocuments}", { headers: { authorization: "Bearer dev-token" } }).then((r) => console.log(r.status), (e) => console.log("failed", e.cause?.code))`;
      const run = (env: NodeJS.ProcessEnv) =>
        new Promise<string>((resolve) =>
          execFile(process.execPath, ["-e", script], { env, timeout: 30_000 }, (_err, stdout) =>
            resolve(stdout.trim()),
          ),
        );
      const graph = { PATH: process.env.PATH ?? "", GRAPH_BASE_URL: emulator.graphBaseUrl };
      expect(await run({ ...graph, NODE_EXTRA_CA_CERTS: caPath })).toBe("200");
      expect(await run(graph)).toMatch(/^failed/);
    } finally {
      await emulator.close();
    }
  });

  it("rejects a bad --proxy-port naming the option", async () => {
    await expect(
      startEmulatorCommand({ port: "0", uploadPort: "0", host: "127.0.0.1", proxyPort: "x" }),
    ).rejects.toThrow(/--proxy-port: must be a port number/);
  });
});
