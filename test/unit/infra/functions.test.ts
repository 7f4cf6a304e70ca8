/**
 * The registered functions (captured as the Functions host sees them) against the infrastructure and the docs:
 * the runbook lists exactly the registered functions with their routes, queues and schedules, every API URL the
 * docs show exists, queue triggers listen on queues the template creates, and every binding expression or
 * connection names settings the template sets.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileRoute } from "../../../src/localhost/routes.js";
import { captureRegistrations, type RegisteredFunction } from "../../support/functionRegistrations.js";
import { appSettings, authModes, context, evaluate, mainBicep, ROOT } from "./deployment.js";
import { runbookFunctions } from "./runbook.js";

let registered: RegisteredFunction[] = [];
const bicep = mainBicep();
const settings = authModes(bicep).map((mode) => appSettings(context(bicep), mode));

/** host.json `extensions.http.routePrefix`, "api" unless set. */
function routePrefix(): string {
  const host = JSON.parse(readFileSync(path.join(ROOT, "host.json"), "utf8")) as {
    extensions?: { http?: { routePrefix?: string } };
  };
  return host.extensions?.http?.routePrefix ?? "api";
}

/** `%NAME%` binding expressions resolved the way the host does, from the deployed app settings. */
function resolve(value: string, env: Record<string, string>): string {
  return value.replace(/%([^%]+)%/g, (_m, name: string) => env[name] ?? `<unset ${name}>`);
}

function describeTrigger(
  fn: RegisteredFunction,
  env: Record<string, string>,
): { trigger: string; target: string } {
  const t = fn.trigger;
  switch (t.type.toLowerCase()) {
    case "httptrigger": {
      const methods = Array.isArray(t.methods) ? t.methods.map(String) : ["any method"];
      return {
        trigger: `HTTP ${methods.join(", ")}`,
        target: `/${routePrefix()}/${String(t.route ?? fn.name)}`,
      };
    }
    case "queuetrigger":
      return { trigger: "queue", target: resolve(String(t.queueName), env) };
    case "timertrigger":
      return { trigger: "timer", target: resolve(String(t.schedule), env) };
    default:
      return { trigger: t.type, target: "" };
  }
}

beforeAll(async () => {
  registered = await captureRegistrations();
});

describe("registered functions against the infrastructure and the docs", () => {
  it("finds the functions the host would load", () => {
    expect(registered.map((f) => f.name)).toEqual(
      expect.arrayContaining(["createUpload", "getUpload", "cancelUpload", "uploadWake", "uploadWakePoison"]),
    );
  });

  it("gives createUpload a queue output on the queue uploadWake listens to (its first wakes)", () => {
    const byName = (name: string) => registered.find((fn) => fn.name === name);
    const wakeQueue = byName("uploadWake")?.trigger.queueName;
    const outputs = (byName("createUpload")?.bindings ?? []).filter(
      (b) => b.direction === "out" && b.type.toLowerCase() === "queue",
    );
    expect(outputs.map((b) => [b.queueName, b.connection])).toEqual([[wakeQueue, "AzureWebJobsStorage"]]);
  });

  it("lists exactly the registered functions in docs/runbook.md, with their triggers and targets", () => {
    const env = settings[0] ?? {};
    const actual = registered
      .map((fn) => ({ name: fn.name, ...describeTrigger(fn, env) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const documented = runbookFunctions().sort((a, b) => a.name.localeCompare(b.name));
    expect(documented).toEqual(actual);
  });

  it("shows only API URLs in the docs that a registered function serves", () => {
    const http = registered
      .filter((fn) => fn.trigger.type.toLowerCase() === "httptrigger")
      .map((fn) => ({
        match: compileRoute(`${routePrefix()}/${String(fn.trigger.route ?? fn.name)}`),
        methods: Array.isArray(fn.trigger.methods) ? fn.trigger.methods.map(String) : undefined,
      }));
    const docs = readdirSync(path.join(ROOT, "docs"))
      .filter((file) => file.endsWith(".md"))
      .map((file) => [file, readFileSync(path.join(ROOT, "docs", file), "utf8")] as const);
    let checked = 0;
    for (const [file, text] of docs) {
      // A path starting /api/ after a method, an https origin, or a space, quote, backtick or parenthesis.
      const urls =
        /(?<=^|[\s`"'(])(?:(GET|POST|DELETE|PUT|PATCH)\s+)?(?:https:\/\/[^\s/`"']+)?(\/api\/[^\s`"'?)]*)/gm;
      for (const found of text.matchAll(urls)) {
        const [, method, urlPath = ""] = found;
        const served = http.some(
          (route) =>
            route.match(urlPath) !== undefined &&
            (!method || !route.methods || route.methods.includes(method)),
        );
        expect(served, `${file}: ${method ?? ""} ${urlPath}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
  });

  it("has queue triggers and queue outputs only on queues the template creates", () => {
    const ctx = context(bicep);
    const storageModule = readFileSync(path.join(ROOT, "infra/modules/storage.bicep"), "utf8");
    // storage.bicep creates `wakeQueueName` and `${wakeQueueName}-poison`; main.bicep passes its wakeQueueName.
    expect(storageModule).toMatch(/^\s+name: wakeQueueName$/m);
    expect(storageModule).toMatch(/^\s+name: '\$\{wakeQueueName\}-poison'$/m);
    const wake = String(evaluate("wakeQueueName", ctx));
    const created = [wake, `${wake}-poison`];
    for (const env of settings) {
      for (const fn of registered) {
        for (const binding of fn.bindings) {
          if (!/^queue/i.test(binding.type)) continue;
          expect(created, `${fn.name} ${binding.type}`).toContain(resolve(String(binding.queueName), env));
        }
      }
    }
  });

  it("uses only binding expressions and connections the deployed settings define", () => {
    for (const env of settings) {
      for (const fn of registered) {
        for (const binding of fn.bindings) {
          for (const value of Object.values(binding)) {
            if (typeof value !== "string") continue;
            for (const [, name = ""] of value.matchAll(/%([^%]+)%/g))
              expect(env[name] ?? "", `${fn.name}: %${name}%`).not.toBe("");
          }
          if (typeof binding.connection !== "string") continue;
          // Identity-based connection: <connection>__<service>ServiceUri with managed-identity credential.
          const service = /^queue/i.test(binding.type)
            ? "queue"
            : /^blob/i.test(binding.type)
              ? "blob"
              : "table";
          expect(env[`${binding.connection}__credential`], fn.name).toBe("managedidentity");
          expect(env[`${binding.connection}__${service}ServiceUri`], fn.name).toMatch(/^https:\/\//);
        }
      }
    }
  });

  it("never runs a timer on startup (it would fire on every scale-out in Azure)", () => {
    for (const fn of registered.filter((f) => f.trigger.type.toLowerCase() === "timertrigger"))
      expect(fn.trigger.runOnStartup ?? false, fn.name).toBe(false);
  });
});
