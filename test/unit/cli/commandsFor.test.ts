/** Which subcommand modules the CLI loads for an argv (src/cli/commands/index.ts, issue 17). */
import { describe, expect, it } from "vitest";
import { commandsFor } from "../../../src/cli/commands/index.js";

const argv = (...args: string[]) => ["node", "graph-mirror", ...args];

describe("commandsFor", () => {
  it("loads only the command named", () => {
    expect(commandsFor(argv("upload", "a.txt", "--to", "drive:x:/"))).toEqual(["upload"]);
    expect(commandsFor(argv("-v", "status"))).toEqual(["status"]);
  });

  it("loads none for --version, alone or with the program's own -v/-q", () => {
    expect(commandsFor(argv("--version"))).toEqual([]);
    expect(commandsFor(argv("-V"))).toEqual([]);
    expect(commandsFor(argv("-q", "--version"))).toEqual([]);
  });

  it("loads every command for help, an unknown command or an unknown option", () => {
    const all = commandsFor(argv());
    expect(all).toContain("upload");
    expect(all.length).toBeGreaterThan(5);
    expect(commandsFor(argv("--help"))).toEqual(all);
    expect(commandsFor(argv("uplod"))).toEqual(all);
    expect(commandsFor(argv("--version", "--bogus"))).toEqual(all);
  });
});
