/** Is Azure Functions Core Tools (`func`) on PATH? It is optional (docs/platform.md): without it the local host runs. */
import { accessSync, constants } from "node:fs";
import path from "node:path";

export function findOnPath(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const extensions = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, `${command}${ext}`);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}
