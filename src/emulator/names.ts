/**
 * SharePoint / OneDrive for Business naming rules (docs/graph-protocol.md "Names and paths"). A bad name gets
 * 400 invalidRequest whose message names the rule, so a client's own check can be compared against it.
 */
import { errors } from "./errors.js";

const FORBIDDEN_CHARACTERS = /["*:<>?/\\|]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is forbidden.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const RESERVED = /^(\.lock|CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9]|desktop\.ini)$/i;

/** The rule a name breaks, or undefined when it is acceptable. */
export function nameRuleBroken(
  name: string,
  options: { folderAtLibraryRoot?: boolean } = {},
): string | undefined {
  if (name.length === 0) return "a name must not be empty";
  if (FORBIDDEN_CHARACTERS.test(name)) return 'a name must not contain " * : < > ? / \\ |';
  if (CONTROL_CHARACTERS.test(name)) return "a name must not contain control characters";
  if (name !== name.trim()) return "a name must not start or end with a space";
  if (name.endsWith(".")) return "a name must not end with a period";
  if (RESERVED.test(name)) return `'${name}' is a reserved name`;
  if (name.startsWith("~$")) return "a name must not start with ~$";
  if (name.toLowerCase().includes("_vti_")) return "a name must not contain _vti_";
  if (options.folderAtLibraryRoot && name.toLowerCase() === "forms") {
    return "'forms' is reserved for a folder at the root of a library";
  }
  return undefined;
}

export function assertValidName(name: string, options: { folderAtLibraryRoot?: boolean } = {}): void {
  const rule = nameRuleBroken(name, options);
  if (rule) throw errors.invalidRequest(`Invalid name: ${rule}.`, "invalidName");
}

/** Every folder segment and the leaf, plus the 400-character decoded server-relative path limit. */
export function assertValidPath(
  libraryRoot: string,
  folders: readonly string[],
  leaf: string,
  maxPathLength: number,
  leafIsFolder = false,
): void {
  folders.forEach((folder, i) => {
    assertValidName(folder, { folderAtLibraryRoot: i === 0 });
  });
  assertValidName(leaf, { folderAtLibraryRoot: leafIsFolder && folders.length === 0 });
  const full = [libraryRoot, ...folders, leaf].join("/");
  if (full.length > maxPathLength) {
    throw errors.invalidRequest(
      `Invalid path: the decoded server-relative path must be at most ${maxPathLength} characters (it is ${full.length}).`,
      "pathTooLong",
    );
  }
}
