/** `graph-mirror permissions list <item> [--json]`: gated like `ls` (any token that can read files). */

import { createServices } from "../../app/services.js";
import { loadConfig } from "../../config/index.js";
import { itemIdAt, listPermissions } from "../../permissions/graphPermissions.js";
import { type PermissionsJson, permissionLines } from "../../permissions/listFormat.js";
import { readOnlyGraph } from "../../read/readWiring.js";
import { describeDestination, parseRemoteDestination, resolveRemoteFolder } from "../../read/remoteTarget.js";
import type { ReadCommandIo } from "./ls.js";
import { nothingAt } from "./nothingAt.js";

export async function listPermissionsCommand(
  itemText: string,
  options: { json?: boolean },
  io: ReadCommandIo,
): Promise<number> {
  const destination = parseRemoteDestination(itemText, "<item>");
  const http = await readOnlyGraph(createServices(loadConfig(io.env)));
  const where = describeDestination(destination);
  let result: PermissionsJson;
  try {
    const folder = await resolveRemoteFolder(http, destination, io.signal);
    const id = await itemIdAt(http, folder.driveId, folder.path, io.signal);
    const permissions = await listPermissions(http, folder.driveId, id, io.signal);
    result = { item: { destination: where, driveId: folder.driveId, id }, permissions };
  } catch (err: unknown) {
    return nothingAt(err, where, io);
  }
  if (options.json) io.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else for (const line of permissionLines(result.permissions)) io.stdout.write(`${line}\n`);
  return 0;
}
