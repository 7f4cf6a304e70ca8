import { describe, expect, it } from "vitest";
import { isServiceModifiedType, nameProblem, pathProblems } from "../../../src/core/shared/names.js";

describe("names", () => {
  it.each([
    "report.pdf",
    "a b.txt",
    "#hash%.bin",
    "Ünïcödé.txt",
    "emoji 😀.txt",
    ".hidden",
    "COM10",
    "console.log",
  ])("accepts %j", (name) => {
    expect(nameProblem(name)).toBeUndefined();
  });

  it.each([
    ["a:b", '":"'],
    ['a"b', '"""'],
    ["a*b", '"*"'],
    ["a<b", '"<"'],
    ["a>b", '">"'],
    ["a?b", '"?"'],
    ["a\\b", '"\\"'],
    ["a|b", '"|"'],
    ["a\u0001b", "control character"],
    [" lead", "space"],
    ["trail ", "space"],
    ["dot.", 'ends with a "."'],
    ["CON", "reserved"],
    ["nul", "reserved"],
    ["LPT9", "reserved"],
    ["COM0", "reserved"],
    [".lock", "reserved"],
    ["desktop.ini", "reserved"],
    ["~$doc.docx", "~$"],
    ["x_vti_y", "_vti_"],
    ["", "empty"],
    ["half\ud800.txt", "not valid Unicode"],
    ["\udc00low.txt", "not valid Unicode"],
  ])("rejects %j naming the rule", (name, rule) => {
    expect(nameProblem(name)).toContain(rule);
  });

  it("checks every path segment and the forms folder", () => {
    expect(pathProblems("/a/b/c.txt")).toEqual([]);
    expect(pathProblems("/bad|dir/c.txt")[0]).toContain('"|"');
    expect(pathProblems("/Forms/c.txt")[0]).toContain("forms");
    expect(pathProblems("/forms.txt")).toEqual([]);
    expect(pathProblems("a.txt")[0]).toContain("start with /");
    expect(pathProblems("/")[0]).toContain("file name");
  });

  it("limits the whole server-relative path to 400 characters", () => {
    const root = "/sites/Ops/Shared Documents";
    const fits = `/${"x".repeat(400 - root.length - 1)}`;
    expect(pathProblems(fits, root)).toEqual([]);
    expect(pathProblems(`${fits}y`, root)[0]).toContain("401 characters");
  });

  it("knows the service-modified Office types", () => {
    expect(isServiceModifiedType("/a/Report.DOCX")).toBe(true);
    expect(isServiceModifiedType("/a/book.xlsx")).toBe(true);
    expect(isServiceModifiedType("/a/data.bin")).toBe(false);
    expect(isServiceModifiedType("/a/docx")).toBe(false);
  });
});
