/**
 * `npm run bench [name-filter...]`: compiles (see package.json) and runs the registered benchmarks, printing
 * a table of metric, value, target and verdict. Exit code 1 when a benchmark with a target misses it.
 */
import { BENCHMARKS } from "./benchmarks.js";
import type { BenchRow } from "./registry.js";

const filters = process.argv.slice(2);
const selected = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
if (selected.length === 0) {
  // A mistyped name would otherwise print an empty table and pass.
  process.stderr.write(
    `npm run bench: no benchmark name contains ${filters.map((f) => `"${f}"`).join(" or ")}; the benchmarks are ${BENCHMARKS.map((b) => b.name).join(", ")}\n`,
  );
  process.exit(2);
}
const rows: (BenchRow & { bench: string })[] = [];
let missed = false;

for (const benchmark of selected) {
  process.stderr.write(`running ${benchmark.name}: ${benchmark.description}\n`);
  try {
    for (const row of await benchmark.run()) {
      rows.push({ bench: benchmark.name, ...row });
      if (row.pass === false) missed = true;
    }
  } catch (err: unknown) {
    missed = true;
    rows.push({
      bench: benchmark.name,
      metric: "error",
      value: err instanceof Error ? err.message : String(err),
    });
  }
}

const header = ["benchmark", "metric", "value", "target", "ok"];
const table = rows.map((r) => [
  r.bench,
  r.metric,
  r.value,
  r.target ?? "",
  r.pass === undefined ? "" : r.pass ? "yes" : "NO",
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
process.stdout.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
for (const row of table) process.stdout.write(`${line(row)}\n`);
// Exit explicitly: a benchmark may leave a handle open (the queue benchmark's in-process Functions host keeps
// its HTTP stream proxy), and a bench run that never returns is worse than one that ends after its report.
process.stdout.write("", () => process.exit(missed ? 1 : 0));
