/**
 * The seams of src/config/auth.ts (src/config/auth/): the order in which problems are gathered, blank settings,
 * and the shared field readers. test/unit/auth/config.test.ts covers each mode through parseAuthConfig.
 */
import { describe, expect, it } from "vitest";
import { parseBoolean, requiredSetting } from "../../../src/config/auth/fields.js";
import { selectMode } from "../../../src/config/auth/selectMode.js";
import { parseAuthConfig } from "../../../src/config/auth.js";
import { ConfigError, type FieldProblem } from "../../../src/core/shared/validationError.js";

const nothingExists = { exists: () => false };

function problemsOf(run: () => unknown): readonly FieldProblem[] {
  try {
    run();
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("parseAuthConfig gathers problems across the parts", () => {
  it("reports a bad cloud together with an unknown AUTH_MODE, cloud first", () => {
    const problems = problemsOf(() =>
      parseAuthConfig({ GRAPH_CLOUD: "mars", AUTH_MODE: "magic" }, nothingExists),
    );
    expect(problems.map((p) => p.field)).toEqual(["GRAPH_CLOUD", "AUTH_MODE"]);
  });

  it("reports every missing setting of a mode together with a bad boolean", () => {
    const problems = problemsOf(() =>
      parseAuthConfig(
        {
          AUTH_MODE: "client-certificate",
          AZURE_CLIENT_CERTIFICATE_PEM: "junk",
          AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: "maybe",
        },
        nothingExists,
      ),
    );
    expect(problems.map((p) => p.field)).toEqual([
      "AZURE_TENANT_ID",
      "AZURE_CLIENT_ID",
      "AZURE_CLIENT_CERTIFICATE_PEM",
      "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
    ]);
  });

  it("treats blank settings as unset", () => {
    const config = parseAuthConfig(
      {
        AUTH_MODE: "  ",
        GRAPH_ACCESS_TOKEN: "   ",
        AZURE_CLIENT_SECRET: "s",
        AZURE_TENANT_ID: " t ",
        AZURE_CLIENT_ID: "c",
      },
      nothingExists,
    );
    expect(config).toMatchObject({
      mode: "client-secret",
      tenantId: "t",
      selectedBy: "inferred: AZURE_CLIENT_SECRET is set",
    });
  });
});

describe("selectMode", () => {
  it("answers none, with a problem, when two modes are set and AUTH_MODE is not", () => {
    const problems: FieldProblem[] = [];
    const selection = selectMode({ GRAPH_ACCESS_TOKEN: "t", TOKEN_FILE: "/t.json" }, nothingExists, problems);
    expect(selection).toEqual({ mode: "none", selectedBy: "" });
    expect(problems.map((p) => p.field)).toEqual(["AUTH_MODE"]);
  });

  it("throws at once on an unknown AUTH_MODE, with the problems gathered so far", () => {
    const earlier: FieldProblem = { field: "GRAPH_CLOUD", rule: "x" };
    const problems = problemsOf(() => selectMode({ AUTH_MODE: "magic" }, nothingExists, [earlier]));
    expect(problems[0]).toBe(earlier);
    expect(problems.map((p) => p.field)).toEqual(["GRAPH_CLOUD", "AUTH_MODE"]);
  });
});

describe("field readers", () => {
  it("parseBoolean takes true/1/yes and false/0/no in any case, false when absent, a problem otherwise", () => {
    const problems: FieldProblem[] = [];
    expect(parseBoolean({ B: "YES" }, "B", problems)).toBe(true);
    expect(parseBoolean({ B: " 1 " }, "B", problems)).toBe(true);
    expect(parseBoolean({ B: "No" }, "B", problems)).toBe(false);
    expect(parseBoolean({}, "B", problems)).toBe(false);
    expect(problems).toEqual([]);
    expect(parseBoolean({ B: "maybe" }, "B", problems)).toBe(false);
    expect(problems).toEqual([{ field: "B", rule: "must be true or false" }]);
  });

  it("requiredSetting names the mode and never the value", () => {
    const problems: FieldProblem[] = [];
    expect(requiredSetting({ A: " v " }, "A", "client-secret", problems)).toBe("v");
    expect(requiredSetting({ A: " " }, "A", "client-secret", problems)).toBe("");
    expect(problems).toEqual([{ field: "A", rule: "is required for client-secret authentication" }]);
  });
});
