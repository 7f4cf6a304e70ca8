/**
 * Issue 15 item 1: an unexpected error in one invocation fails that invocation, not the host. A tiny app with
 * HTTP streaming on (as the real app) has a function that throws while its request body is still arriving;
 * the built-in host, run as a child process, must answer 500, log the failure at error level with the
 * invocation id, and go on answering other requests.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureBuilt, REPO_DIR } from "../support/builtApp.js";
import { type LocalHostProcess, startLocalHostProcess } from "../support/localHostProcess.js";

let host: LocalHostProcess;

function throwingApp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gm-throwing-app-"));
  const functions = pathToFileURL(
    path.join(REPO_DIR, "node_modules", "@azure", "functions", "dist", "azure-functions.js"),
  );
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "app", type: "module", main: "app.js" }),
  );
  writeFileSync(path.join(dir, "host.json"), JSON.stringify({ version: "2.0" }));
  writeFileSync(
    path.join(dir, "app.js"),
    `import azure from ${JSON.stringify(functions.href)};
const { app } = azure;
app.setup({ enableHttpStream: true });
app.http("ok", { route: "ok", methods: ["GET"], authLevel: "anonymous", handler: async () => ({ status: 200, body: "ok" }) });
app.http("boom", { route: "boom", methods: ["POST"], authLevel: "anonymous", handler: async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  throw new Error("unexpected failure in the handler");
} });
`,
  );
  return dir;
}

beforeAll(async () => {
  await ensureBuilt();
  host = await startLocalHostProcess(throwingApp(), {});
});

afterAll(async () => {
  await host?.kill("SIGKILL");
});

/** POSTs a body that keeps arriving for a while, so the handler fails while the body is still streaming. */
function postStreaming(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", headers: { "content-length": "1000000" } });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    request.on("error", reject);
    request.write(Buffer.alloc(1024));
    setTimeout(() => request.destroy(), 5_000).unref();
  });
}

it("answers 500 for an invocation that throws, logs it with its invocation id, and goes on", async () => {
  for (let i = 0; i < 3; i++) expect(await postStreaming(`${host.baseUrl}/api/boom`)).toBe(500);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(host.child.exitCode, host.output()).toBeNull();
  const ok = await fetch(`${host.baseUrl}/api/ok`, { signal: AbortSignal.timeout(10_000) });
  expect(ok.status, host.output()).toBe(200);
  expect(host.output()).toMatch(
    /error: boom \(invocation [0-9a-f-]{36}\) failed: .*unexpected failure in the handler/,
  );
});
