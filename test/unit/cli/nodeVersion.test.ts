import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkNodeVersion, MINIMUM_NODE, TESTED_NODE_MAJORS } from "../../../src/cli/nodeVersion.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");

describe("the Node.js version check", () => {
  it.each(["v20.11.0", "v20.20.2", "v22.0.0", "v22.23.5"])("accepts %s, a tested version", (version) => {
    expect(checkNodeVersion(version)).toEqual({ level: "ok" });
  });

  it.each(["v18.20.0", "v20.10.0"])("refuses %s, older than the minimum", (version) => {
    expect(checkNodeVersion(version)).toMatchObject({
      level: "error",
      message: expect.stringContaining(MINIMUM_NODE),
    });
  });

  it.each(["v21.7.0", "v24.1.0"])("warns on %s, which CI does not test", (version) => {
    expect(checkNodeVersion(version)).toMatchObject({
      level: "warning",
      message: expect.stringContaining("20 and 22"),
    });
  });

  it("agrees with package.json engines, the versions .ci/run tests, and this process", () => {
    const engines = (
      JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    expect(engines).toBe(
      `^${MINIMUM_NODE} || ${TESTED_NODE_MAJORS.slice(1)
        .map((m) => `^${m}.0.0`)
        .join(" || ")}`,
    );
    const ci = readFileSync(path.join(ROOT, ".ci/run"), "utf8");
    expect(/^NODE22_VERSION=(\d+)\./m.exec(ci)?.[1]).toBe("22");
    // Both suite runs (the machine's Node.js 20 and the installed 22) pass through this test.
    expect(checkNodeVersion(process.version).level).toBe("ok");
  });
});
