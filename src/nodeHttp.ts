/**
 * Node's `http` and `https` modules, loaded with require rather than `import`: Node 22's ES-module view of
 * node:http evaluates every export, among them its lazy WebSocket classes, and so loads undici (~12 MiB of RSS)
 * into a process that never uses fetch (docs/upload.md "Memory"). test/e2e/cliStartup.test.ts checks that an
 * upload loads no undici, on Node 20 and 22. Types come from the modules themselves.
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export const http = load("node:http") as typeof import("node:http");
export const https = load("node:https") as typeof import("node:https");
