// Removes compiled files whose TypeScript source is gone (run after every build: `npm run build`, `prepare`,
// `npm run bench`, and the tests' ensureBuilt). tsc never deletes an output, so a source that was renamed or
// deleted left its old .js in dist/, and the local host loads every dist/src/functions/*.js (package.json
// "main", as the Functions host does): a stale function file registered a second listener on the wake queue,
// which doubled the queue polls under every step (docs/local-development.md "Build output"). Only .js and .js.map files
// that have no .ts beside their path in the repository are removed, then the folders left empty; dist/ itself
// is never wiped, and dot-entries are never touched: dist/.build.lock is the tests' build lock (proper-lockfile's
// lock is an empty folder), held while this runs. A folder another build writes into meanwhile is left alone.
import { readdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Prunes `<repoDir>/dist`; returns the removed files, relative to the repository. */
export function pruneDist(repoDir) {
  const dist = path.join(repoDir, "dist");
  const removed = [];
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(full);
        removeIfEmpty(full);
        continue;
      }
      const compiled = /^(.*)\.js(\.map)?$/.exec(entry.name);
      if (!compiled) continue;
      const source = path.join(repoDir, path.relative(dist, dir), `${compiled[1]}.ts`);
      if (exists(source)) continue;
      rmSync(full, { force: true });
      removed.push(path.relative(repoDir, full));
    }
  };
  visit(dist);
  return removed;
}

/** Removes a folder left empty; one another build has just written into (or already removed) stays as it is. */
function removeIfEmpty(dir) {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch (err) {
    if (err.code !== "ENOTEMPTY" && err.code !== "ENOENT") throw err;
  }
}

function exists(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const removed = pruneDist(repoDir);
  if (removed.length > 0) console.log(`prune-dist: removed ${removed.length} stale compiled files`);
}
