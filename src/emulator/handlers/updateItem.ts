/**
 * `PATCH` an item (Microsoft Learn, "Update DriveItem properties"). Only `fileSystemInfo` is modelled: rclone
 * uploads a 0-byte file with a simple upload and then sets its dates this way (backend/onedrive setModTime).
 * As on the service, the eTag changes and the cTag (content) does not. Renames and moves (`name`,
 * `parentReference`) are not modelled: they answer 400 naming the field, never a silent success.
 */
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { assertCanWrite } from "../access.js";
import type { TokenRecord } from "../directory.js";
import { errors, GraphError } from "../errors.js";
import type { DriveRef, ItemAddress } from "../graphRouter.js";
import { type BodyMeter, json, type Reply, readJson } from "../http.js";
import type { EmulatorState } from "../state.js";
import { driveContext, existingItem } from "./targets.js";

const dateTime = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date and time" });
const patchSchema = z.strictObject({
  fileSystemInfo: z
    .strictObject({
      createdDateTime: dateTime.optional(),
      lastModifiedDateTime: dateTime.optional(),
      lastAccessedDateTime: dateTime.optional(),
    })
    .optional(),
});

export async function updateItem(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  req: IncomingMessage,
  meter: BodyMeter,
): Promise<Reply> {
  const { drive, tree } = driveContext(state, token, ref);
  assertCanWrite(token);
  const item = existingItem(tree, address);
  if (!item.parent) throw new GraphError(403, "accessDenied", "The root of a drive cannot be updated.");
  const parsed = patchSchema.safeParse(await readJson(req, meter, state.limits.maxJsonBodyBytes));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.code === "unrecognized_keys" ? issue.keys.join(", ") : issue?.path.join(".");
    throw errors.invalidRequest(
      `${field || "(body)"}: ${issue?.code === "unrecognized_keys" ? "the emulator only updates fileSystemInfo" : (issue?.message ?? "is invalid")}.`,
    );
  }
  const info = parsed.data.fileSystemInfo;
  if (info) {
    tree.setFileSystemInfo(item, {
      ...(info.createdDateTime ? { createdDateTime: info.createdDateTime } : {}),
      ...(info.lastModifiedDateTime ? { lastModifiedDateTime: info.lastModifiedDateTime } : {}),
    });
  }
  return json(200, state.itemJson(item, drive));
}
