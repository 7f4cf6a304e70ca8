/**
 * rclone's config syntax, parsed the way rclone's goconfig parses it: `[section]`, `key = value` (or
 * `key: value`), whole-line comments starting with `#` or `;`. Not the `ini` package: it treats `;` and `#`
 * inside values as inline comments, which would cut an opaque OneDrive token short.
 */
export type RcloneSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseRcloneIni(text: string): RcloneSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[") && line.endsWith("]")) {
      current = new Map();
      sections.set(line.slice(1, -1).trim(), current);
      continue;
    }
    const separator = line.search(/[=:]/);
    if (separator <= 0 || !current) continue;
    current.set(line.slice(0, separator).trim(), unquote(line.slice(separator + 1).trim()));
  }
  return sections;
}

function unquote(value: string): string {
  for (const quote of ['"""', "`", '"']) {
    if (value.length >= 2 * quote.length && value.startsWith(quote) && value.endsWith(quote)) {
      // A JSON token value starts with `{`, so this never strips a token's own quotes.
      return value.slice(quote.length, -quote.length);
    }
  }
  return value;
}
