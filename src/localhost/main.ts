/**
 * `node dist/src/localhost/main.js`: runs the built-in local Functions host in this process, in the app folder
 * (the current directory unless APP_DIR is set), on PORT (default 7071). local.settings.json's Values are
 * applied to the environment first, as Core Tools does. `graph-mirror start` runs this as a child process.
 */
import process from "node:process";
import { redactSecrets } from "../core/shared/redact.js";
import { ConfigError } from "../core/shared/validationError.js";
import { startLocalHost } from "./host.js";
import { readLocalSettings } from "./localSettings.js";
import { type LocalHostSettings, parseLocalHostSettings } from "./settings.js";

// A last line of defence (issue 15): an error that escapes one invocation (a stray promise or stream event)
// is logged at error level and the host goes on serving the others, as the Functions host outlives a failed
// invocation. Without these, Node ends the process and `npm start` stops with nothing in the terminal.
const reportEscaped = (kind: string) => (err: unknown) => {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(
    `[localhost] error: ${kind} outside any invocation (the host goes on): ${redactSecrets(text)}\n`,
  );
};
process.on("unhandledRejection", reportEscaped("unhandled rejection"));
process.on("uncaughtException", reportEscaped("uncaught exception"));

const appDir = process.env.APP_DIR || process.cwd();
for (const [key, value] of Object.entries(await readLocalSettings(appDir)))
  if (process.env[key] === undefined) process.env[key] = value;

let settings: LocalHostSettings;
try {
  settings = parseLocalHostSettings(process.env);
} catch (err: unknown) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}

const host = await startLocalHost({
  appDir,
  env: process.env,
  port: settings.ports.functions,
  messageLeaseMs: settings.messageLeaseMs,
  ...(settings.devPrincipalHeader ? { devPrincipalHeader: settings.devPrincipalHeader } : {}),
});
if (settings.devPrincipalHeader)
  process.stdout.write(
    "[localhost] LOCAL_DEV_PRINCIPAL is set: every HTTP request is passed to the functions as that signed-in caller\n",
  );
process.stdout.write(
  `[localhost] listening on http://127.0.0.1:${host.http.port}\nFunctions:\n${host.describe()}\n`,
);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  host.close().finally(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
