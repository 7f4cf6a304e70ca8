/**
 * Table Storage keys must not contain `/ \ # ?` or control characters and are at most 1 KiB (docs/platform.md;
 * Azurite does not enforce all of this, so we guard it in code). Keys are percent-encoded for those characters
 * (and `%` itself, so the mapping stays one-to-one); values too long for a key are refused with a clear error.
 */
import { createHash } from "node:crypto";

/** Keys are limited to 1 KiB; percent-encoding can triple a character, so leave room. */
const MAX_KEY_CHARS = 512;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped.
const FORBIDDEN = /[/\\#?%\u0000-\u001f\u007f-\u009f]/g;

/** A table-key-safe form of `raw`, one-to-one for keys up to 512 characters. */
export function tableKey(raw: string): string {
  if (raw.length === 0) throw new Error("a table key cannot be empty");
  const escaped = raw.replace(
    FORBIDDEN,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
  if (escaped.length <= MAX_KEY_CHARS) return escaped;
  // Drive ids and request ids are short; a key this long is not ours to trust, but a digest keeps it usable.
  return `h~${createHash("sha256").update(raw).digest("hex")}`;
}

/** Quotes a string for an OData filter (single quotes doubled). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
