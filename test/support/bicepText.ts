/**
 * Reads infra/*.bicep as text, because the Bicep compiler cannot run here (its CLI downloads a binary). The
 * parser understands only the shapes infra/main.bicep is written in, and fails loudly on anything else, so a
 * template change that it cannot follow breaks the consistency test instead of passing it silently:
 *
 * - `param NAME TYPE` or `param NAME TYPE = DEFAULT`, each on one line, with one-line decorators above it
 *   (`@allowed([...])`, `@secure()`, `@description('...')`, `@minValue(n)` ...);
 * - `var NAME = EXPRESSION` on one line, or `var NAME = {` ... `}` (the closing brace alone at column 0) with one
 *   `KEY: EXPRESSION` entry per line; comment lines (`//`) are skipped, entries carry no trailing comment;
 * - `output NAME TYPE = EXPRESSION` on one line.
 *
 * Expressions are evaluated by {@link evaluate}: string literals with `${...}` interpolation, numbers, booleans,
 * `[]`, identifiers (parameters and variables), `string(x)`, `join(x, 'sep')`, `loadJsonContent('file')`, and
 * whole expressions found in a table of platform values supplied by the caller (`storage.outputs.blobEndpoint`,
 * `tenant().tenantId`, ...): what Azure would return at deployment time.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export interface BicepParam {
  readonly name: string;
  readonly type: string;
  readonly defaultExpression?: string;
  readonly allowed?: readonly (string | number)[];
  readonly secure: boolean;
}

export interface BicepFile {
  readonly file: string;
  readonly params: ReadonlyMap<string, BicepParam>;
  /** One-line variables: name to expression text. */
  readonly vars: ReadonlyMap<string, string>;
  /** Object variables: name to its entries (key to expression text), in file order. */
  readonly objects: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly outputs: ReadonlyMap<string, string>;
  readonly text: string;
}

export function readBicep(file: string): BicepFile {
  const text = readFileSync(file, "utf8");
  const lines = text.split(/\r?\n/);
  const params = new Map<string, BicepParam>();
  const vars = new Map<string, string>();
  const objects = new Map<string, Map<string, string>>();
  const outputs = new Map<string, string>();
  let decorators: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("@")) {
      decorators.push(line);
      continue;
    }
    const param = /^param (\w+) (.+?)(?: = (.+))?$/.exec(line);
    if (param) {
      const [, name = "", type = "", defaultExpression] = param;
      params.set(name, {
        name,
        type,
        ...(defaultExpression !== undefined ? { defaultExpression } : {}),
        ...allowedOf(decorators, name),
        secure: decorators.some((d) => d.startsWith("@secure()")),
      });
    } else if (line.startsWith("param ")) {
      throw new Error(`${file}:${i + 1}: parameter not in the one-line form this parser reads: ${line}`);
    }
    const variable = /^var (\w+) = (.+)$/.exec(line);
    if (variable) {
      const [, name = "", expression = ""] = variable;
      if (expression === "{") {
        const entries = new Map<string, string>();
        for (i++; i < lines.length && lines[i] !== "}"; i++) {
          const entryLine = lines[i] ?? "";
          if (/^\s*(\/\/.*)?$/.test(entryLine)) continue;
          const entry = /^\s+('[^']+'|[A-Za-z_][\w]*)\s*:\s*(.+)$/.exec(entryLine);
          if (!entry)
            throw new Error(`${file}:${i + 1}: object entry not in the form KEY: EXPRESSION: ${entryLine}`);
          const [, key = "", value = ""] = entry;
          entries.set(key.replace(/^'|'$/g, ""), value.trim());
        }
        objects.set(name, entries);
      } else {
        vars.set(name, expression.trim());
      }
    }
    const output = /^output (\w+) \w+ = (.+)$/.exec(line);
    if (output) outputs.set(output[1] ?? "", (output[2] ?? "").trim());
    decorators = [];
  }
  return { file, params, vars, objects, outputs, text };
}

function allowedOf(decorators: readonly string[], name: string): { allowed?: (string | number)[] } {
  const decorator = decorators.find((d) => d.startsWith("@allowed("));
  if (!decorator) return {};
  const list = /^@allowed\(\[(.*)\]\)$/.exec(decorator);
  if (!list) throw new Error(`@allowed of ${name} must be on one line`);
  return {
    allowed: (list[1] ?? "")
      .split(",")
      .map((item) => item.trim())
      .map((item) => (/^'.*'$/.test(item) ? item.slice(1, -1) : Number(item))),
  };
}

export type BicepValue = string | number | boolean | readonly unknown[] | Readonly<Record<string, unknown>>;

export interface EvaluationContext {
  readonly bicep: BicepFile;
  /** Values the operator passes at deployment (parameters without a default must be here). */
  readonly inputs: Readonly<Record<string, BicepValue>>;
  /** Expressions whose value only Azure knows, with realistic values. */
  readonly platform: Readonly<Record<string, string>>;
}

/** The value of a parameter: the operator's input, else its default. */
export function paramValue(name: string, ctx: EvaluationContext): BicepValue {
  if (name in ctx.inputs) return ctx.inputs[name] as BicepValue;
  const param = ctx.bicep.params.get(name);
  if (!param) throw new Error(`unknown parameter ${name}`);
  if (param.defaultExpression === undefined) throw new Error(`parameter ${name} has no default and no input`);
  return evaluate(param.defaultExpression, ctx);
}

export function evaluate(expression: string, ctx: EvaluationContext): BicepValue {
  const expr = expression.trim();
  const known = ctx.platform[expr];
  if (known !== undefined) return known;
  if (isStringLiteral(expr)) return interpolate(expr.slice(1, -1), ctx);
  if (/^-?\d+$/.test(expr)) return Number(expr);
  if (expr === "true" || expr === "false") return expr === "true";
  if (expr === "[]") return [];
  if (/^[A-Za-z_]\w*$/.test(expr)) {
    if (ctx.bicep.params.has(expr)) return paramValue(expr, ctx);
    const variable = ctx.bicep.vars.get(expr);
    if (variable !== undefined) return evaluate(variable, ctx);
    const object = ctx.bicep.objects.get(expr);
    if (object) return evaluateObject(expr, ctx);
    throw new Error(`unknown identifier ${expr}`);
  }
  // `CONDITION ? fail('...') : NAME`: a deployment-time check (infra/main.bicep); its value, when it passes, is
  // NAME. The ARM tests (test/arm/apiAuth.test.ts) evaluate the check itself on the compiled template.
  const checked = /^\w+ \? fail\(.*\) : ([A-Za-z_]\w*)$/.exec(expr);
  if (checked) return evaluate(checked[1] ?? "", ctx);
  const call = /^(\w+)\((.*)\)$/.exec(expr);
  if (call) {
    const [, fn = "", argText = ""] = call;
    const args = splitArguments(argText).map((arg) => evaluate(arg, ctx));
    switch (fn) {
      case "string": {
        const [value] = args;
        return typeof value === "string" ? value : JSON.stringify(value);
      }
      case "join": {
        const [list, separator] = args;
        if (!Array.isArray(list) || typeof separator !== "string") throw new Error(`bad join: ${expr}`);
        return list.map(String).join(separator);
      }
      case "loadJsonContent": {
        const [file] = args;
        if (typeof file !== "string") throw new Error(`bad loadJsonContent: ${expr}`);
        return JSON.parse(readFileSync(path.join(path.dirname(ctx.bicep.file), file), "utf8")) as BicepValue;
      }
      default:
        throw new Error(`function ${fn}() is not understood by the test's Bicep reader: ${expr}`);
    }
  }
  throw new Error(`expression not understood by the test's Bicep reader: ${expr}`);
}

/** An object variable with every entry evaluated. */
export function evaluateObject(name: string, ctx: EvaluationContext): Record<string, BicepValue> {
  const entries = ctx.bicep.objects.get(name);
  if (!entries) throw new Error(`no object variable ${name}`);
  const result: Record<string, BicepValue> = {};
  for (const [key, expression] of entries) result[key] = evaluate(expression, ctx);
  return result;
}

function isStringLiteral(expr: string): boolean {
  if (!expr.startsWith("'") || !expr.endsWith("'") || expr.length < 2) return false;
  // No unescaped quote inside, outside interpolations.
  const body = expr
    .slice(1, -1)
    .replace(/\$\{[^}]*\}/g, "")
    .replace(/\\'/g, "");
  return !body.includes("'");
}

function interpolate(body: string, ctx: EvaluationContext): string {
  return body.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
    const value = evaluate(inner, ctx);
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
      throw new Error(`interpolation of a non-scalar: ${inner}`);
    return String(value);
  });
}

function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (!quoted && (char === "(" || char === "[" || char === "{")) depth++;
    if (!quoted && (char === ")" || char === "]" || char === "}")) depth--;
    if (!quoted && depth === 0 && char === ",") {
      args.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  if (current.trim()) args.push(current.trim());
  return args;
}
