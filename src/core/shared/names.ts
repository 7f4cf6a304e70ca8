/**
 * Name and path rules for SharePoint and OneDrive (docs/graph-protocol.md "Names and paths", from Microsoft's "Restrictions
 * and limitations in OneDrive and SharePoint"). Bad names are rejected before any upload, naming the rule;
 * never silently renamed.
 */
export const MAX_SERVER_RELATIVE_PATH = 400;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is forbidden.
const FORBIDDEN_CHARACTERS = /["*:<>?/\\|\u0000-\u001f\u007f]/;
const RESERVED_NAMES = /^(\.lock|con|prn|aux|nul|com[0-9]|lpt[0-9]|desktop\.ini)$/i;
/** Half of a UTF-16 surrogate pair on its own: not a character, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a single name (file or folder) is not allowed, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "a name must not be empty";
  const bad = FORBIDDEN_CHARACTERS.exec(name);
  if (bad) {
    const code = bad[0].charCodeAt(0);
    const shown = code < 0x20 || code === 0x7f ? "a control character" : `"${bad[0]}"`;
    return `"${printable(name)}" contains ${shown}; names may not contain " * : < > ? / \\ | or control characters`;
  }
  if (LONE_SURROGATE.test(name)) return `"${printable(name)}" is not valid Unicode (a lone surrogate)`;
  if (name !== name.trim()) return `"${name}" starts or ends with a space`;
  if (name.endsWith(".")) return `"${name}" ends with a "."`;
  if (RESERVED_NAMES.test(name)) return `"${name}" is a reserved name`;
  if (name.startsWith("~$")) return `"${name}" starts with "~$" (reserved for Office lock files)`;
  if (name.toLowerCase().includes("_vti_")) return `"${name}" contains "_vti_" (reserved by SharePoint)`;
  return undefined;
}

/**
 * Every problem with a destination path inside a drive (`/folder/name.ext`). `rootPath` is the decoded
 * server-relative path of the drive root (site + library) when known; docs/graph-protocol.md caps the whole at 400 characters.
 */
export function pathProblems(path: string, rootPath = ""): string[] {
  const problems: string[] = [];
  if (!path.startsWith("/")) problems.push("the path must start with /");
  const segments = path.split("/").filter((s, i) => i > 0 || s !== "");
  if (segments.length === 0 || (segments.length === 1 && segments[0] === "")) {
    problems.push("the path must end with a file name");
    return problems;
  }
  for (const segment of segments) {
    const problem = nameProblem(segment);
    // `/a/../../b` breaks one rule twice: say it once.
    if (problem && !problems.includes(problem)) problems.push(problem);
  }
  if (segments.length > 1 && segments[0]?.toLowerCase() === "forms") {
    problems.push('"forms" is reserved as a folder at the root of a library');
  }
  const full = `${rootPath.replace(/\/+$/, "")}${path}`;
  if (full.length > MAX_SERVER_RELATIVE_PATH) {
    problems.push(
      `the full path is ${full.length} characters; SharePoint allows at most ${MAX_SERVER_RELATIVE_PATH} (site, library, folders and name)`,
    );
  }
  return problems;
}

/** Extensions SharePoint rewrites after upload (property promotion), so size and hash may differ (docs/graph-protocol.md). */
const SERVICE_MODIFIED_EXTENSIONS = new Set([
  "doc",
  "docx",
  "docm",
  "dotx",
  "dotm",
  "xls",
  "xlsx",
  "xlsm",
  "xltx",
  "xltm",
  "xlsb",
  "ppt",
  "pptx",
  "pptm",
  "potx",
  "potm",
  "ppsx",
  "ppsm",
  "vsdx",
  "one",
]);

export function isServiceModifiedType(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 && SERVICE_MODIFIED_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

function printable(text: string): string {
  return Array.from(text, (c) =>
    c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || LONE_SURROGATE.test(c) ? "?" : c,
  ).join("");
}
