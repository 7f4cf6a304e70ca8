#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the "prepare" script) or `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const entry = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write(
    "graph-mirror is not built yet: run `npm install` (or `npm run build`) in its folder.\n",
  );
  process.exit(2);
}
await import(pathToFileURL(entry).href);
