/**
 * Parses mirror definitions from the `MIRRORS_FILE` file or the `MIRRORS` setting. Each definition is validated
 * on its own: a bad one is reported (naming the mirror, the field and the rule) and the valid ones still run.
 */
import path from "node:path";
import type { z } from "zod";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import { type MirrorDefinition, mirrorSchema } from "./definitionSchema.js";

export interface InvalidMirror {
  /** The mirror's name when it has a usable one, else `mirrors[<index>]`. */
  readonly mirror: string;
  readonly index: number;
  readonly error: ConfigError;
}

export interface MirrorDefinitions {
  readonly valid: readonly MirrorDefinition[];
  readonly invalid: readonly InvalidMirror[];
}

export interface DefinitionContext {
  /** Absolute directories a `file` source may read (ALLOWED_FILE_ROOTS). */
  readonly allowedFileRoots: readonly string[];
  /** The setting the text came from, named in whole-document errors. */
  readonly settingName: string;
  /** For MIRRORS_FILE: relative `file` source paths are resolved against the file's folder. */
  readonly baseDir?: string;
}

/** Parses a JSON document: either `{"mirrors": [...]}` or a bare list. Throws ConfigError only when the
 * document as a whole is unusable (not JSON, not a list). */
export function parseMirrorDefinitions(text: string, context: DefinitionContext): MirrorDefinitions {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err: unknown) {
    const detail = err instanceof SyntaxError ? syntaxErrorWithoutExcerpt(err) : "unreadable";
    throw new ConfigError([{ field: context.settingName, rule: `must be valid JSON (${detail})` }]);
  }
  const list = Array.isArray(document)
    ? document
    : isRecord(document) && Array.isArray(document.mirrors)
      ? document.mirrors
      : undefined;
  if (!list) {
    throw new ConfigError([
      { field: context.settingName, rule: 'must be a JSON list of mirrors or an object {"mirrors": [...]}' },
    ]);
  }
  const baseDir = context.baseDir;
  return validateMirrors(baseDir ? list.map((raw) => withAbsoluteFileSource(raw, baseDir)) : list, context);
}

function withAbsoluteFileSource(raw: unknown, baseDir: string): unknown {
  if (!isRecord(raw) || !isRecord(raw.source) || raw.source.type !== "file") return raw;
  const dir = raw.source.path;
  if (typeof dir !== "string" || dir === "" || path.isAbsolute(dir)) return raw;
  return { ...raw, source: { ...raw.source, path: path.resolve(baseDir, dir) } };
}

export function validateMirrors(list: readonly unknown[], context: DefinitionContext): MirrorDefinitions {
  const valid: MirrorDefinition[] = [];
  const invalid: InvalidMirror[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, index) => {
    const label = labelOf(raw, index);
    const parsed = mirrorSchema.safeParse(raw);
    const problems: FieldProblem[] = parsed.success ? [] : problemsOf(parsed.error, raw);
    if (parsed.success) {
      const first = seen.get(parsed.data.name.toLowerCase());
      if (first !== undefined) {
        problems.push({ field: "name", rule: `must be unique (mirrors[${first}] has the same name)` });
      } else {
        seen.set(parsed.data.name.toLowerCase(), index);
      }
      problems.push(...fileSourceProblems(parsed.data, context.allowedFileRoots));
    }
    if (parsed.success && problems.length === 0) {
      valid.push(parsed.data);
    } else {
      invalid.push({ mirror: label, index, error: new ConfigError(problems, `mirror "${label}"`) });
    }
  });
  return { valid, invalid };
}

/** A lexical check at load time; listing re-checks with resolved real paths (symlinks). */
function fileSourceProblems(mirror: MirrorDefinition, roots: readonly string[]): FieldProblem[] {
  if (mirror.source.type !== "file") return [];
  const dir = mirror.source.path;
  if (!path.isAbsolute(dir)) return [{ field: "source.path", rule: "must be an absolute path" }];
  if (roots.length === 0) {
    return [{ field: "source.path", rule: "must be inside ALLOWED_FILE_ROOTS, and none are configured" }];
  }
  if (!roots.some((root) => isInside(root, path.resolve(dir)))) {
    return [{ field: "source.path", rule: "must be inside one of ALLOWED_FILE_ROOTS" }];
  }
  return [];
}

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Field names like `destinations[1].path`; unknown keys are named as fields of their own. */
function problemsOf(error: z.ZodError, raw: unknown): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const base = fieldName(issue.path);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${key}` : key,
        rule: "is not a known field",
      }));
    }
    const missing = issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined;
    return [{ field: base || "(mirror)", rule: missing ? "is required" : issue.message }];
  });
}

function valueAt(raw: unknown, parts: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of parts) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function fieldName(parts: readonly PropertyKey[]): string {
  return parts
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

function labelOf(raw: unknown, index: number): string {
  if (isRecord(raw) && typeof raw.name === "string" && /^[\w.-]{1,63}$/.test(raw.name)) return raw.name;
  return `mirrors[${index}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * V8's JSON.parse messages quote the text around the error (`Unexpected token 'h', ..."urls":[https://h/"...
 * is not valid JSON`), and a definition's URL may carry a SAS token: keep the reason, drop the quoted excerpt.
 */
function syntaxErrorWithoutExcerpt(err: SyntaxError): string {
  const excerpted = /^(.*?), (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s.exec(err.message);
  if (excerpted?.[1] !== undefined) return excerpted[1];
  return err.message.includes('"') ? "not valid JSON" : err.message;
}
