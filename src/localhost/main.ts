/**
 * `node dist/src/localhost/main.js`: runs the built-in local Functions host in this process, in the app folder
 * (the current directory unless APP_DIR is set), on PORT (default 7071). local.settings.json's Values are
 * applied to the environment first, as Core Tools does. `graph-mirror start` runs this as a child process.
 */
import process from "node:process";
import { startLocalHost } from "./host.js";
import { readLocalSettings } from "./localSettings.js";

const appDir = process.env.APP_DIR || process.cwd();
for (const [key, value] of Object.entries(await readLocalSettings(appDir)))
  if (process.env[key] === undefined) process.env[key] = value;

const port = Number(process.env.PORT || "7071");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write("PORT must be a TCP port number (0-65535)\n");
  process.exit(2);
}

const host = await startLocalHost({
  appDir,
  env: process.env,
  port,
  ...(process.env.LOCALHOST_MESSAGE_LEASE_SECONDS
    ? { messageLeaseMs: Number(process.env.LOCALHOST_MESSAGE_LEASE_SECONDS) * 1000 }
    : {}),
});
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
