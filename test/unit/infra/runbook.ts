/**
 * Reads the tables of docs/runbook.md that the consistency tests hold to the code: "## Settings" (first column:
 * the setting name in backticks) and "## Functions" (function name, trigger, route/queue/schedule).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./deployment.js";

export const RUNBOOK = path.join(ROOT, "docs", "runbook.md");

export function runbookText(): string {
  return readFileSync(RUNBOOK, "utf8");
}

/** The table rows (cells without the backticks) of one `## heading` section. */
export function sectionRows(heading: string): string[][] {
  const text = runbookText();
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/runbook.md has no "## ${heading}" section`);
  const rest = text.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return section
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .slice(1) // header row
    .map((line) =>
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim().replace(/^`|`$/g, "")),
    );
}

export function runbookSettingNames(): string[] {
  return sectionRows("Settings").map(([name]) => name ?? "");
}

export interface DocumentedFunction {
  readonly name: string;
  readonly trigger: string;
  readonly target: string;
}

export function runbookFunctions(): DocumentedFunction[] {
  return sectionRows("Functions").map(([name = "", trigger = "", target = ""]) => ({
    name,
    trigger,
    target,
  }));
}
