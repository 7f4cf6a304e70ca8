/**
 * Turns zod issues into `{field, rule}` problems worded for people: the field as a path
 * (`destinations[1].path`), the rule as "must ..." text. Values are never echoed back (they may hold secrets,
 * e.g. a SAS token in a URL).
 */
import type { z } from "zod";
import type { FieldProblem } from "../core/shared/validationError.js";

export function fieldName(path: readonly PropertyKey[]): string {
  const text = path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
  return text || "(body)";
}

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.flatMap((issue): FieldProblem[] => {
    switch (issue.code) {
      case "unrecognized_keys":
        return issue.keys.map((key) => ({
          field: fieldName([...issue.path, key]),
          rule: "is not a known field",
        }));
      case "invalid_type":
        return [
          {
            field: fieldName(issue.path),
            rule:
              // zod leaves the input out of issues unless asked; its message says what was received.
              issue.message.endsWith("received undefined")
                ? "is required"
                : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`,
          },
        ];
      case "invalid_union":
        return [
          {
            field: fieldName(issue.path),
            rule:
              "options" in issue && Array.isArray(issue.options)
                ? `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}`
                : issue.message,
          },
        ];
      case "invalid_value":
        return [
          {
            field: fieldName(issue.path),
            rule: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
          },
        ];
      default:
        return [{ field: fieldName(issue.path), rule: issue.message }];
    }
  });
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  object: "an object",
  array: "an array",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};
