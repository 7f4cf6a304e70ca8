/**
 * The Node.js versions graph-mirror is tested on: CI (.ci/run) runs the whole suite on Node.js 20 and again on
 * Node.js 22, the version the Flex Consumption app runs and the pinned Azure SDK packages declare. package.json
 * `engines` says the same (test/unit/cli/nodeVersion.test.ts holds them together).
 */
export const TESTED_NODE_MAJORS = [20, 22] as const;
/** The oldest release the code runs on: import.meta.dirname arrived in Node.js 20.11. */
export const MINIMUM_NODE = "20.11.0";

export interface NodeVersionCheck {
  readonly level: "ok" | "warning" | "error";
  readonly message?: string;
}

export function checkNodeVersion(version: string): NodeVersionCheck {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  const [minMajor = 0, minMinor = 0] = MINIMUM_NODE.split(".").map(Number);
  if (major < minMajor || (major === minMajor && minor < minMinor))
    return {
      level: "error",
      message: `graph-mirror needs Node.js ${MINIMUM_NODE} or later; this is ${version}.`,
    };
  if (!(TESTED_NODE_MAJORS as readonly number[]).includes(major))
    return {
      level: "warning",
      message: `graph-mirror is tested on Node.js ${TESTED_NODE_MAJORS.join(" and ")}; this is ${version}, which may work but is untested.`,
    };
  return { level: "ok" };
}
