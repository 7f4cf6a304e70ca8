/**
 * The permissions API of a driveItem:
 * - listPermissions: Microsoft Learn, "List sharing permissions on a driveItem"
 *   (https://learn.microsoft.com/graph/api/driveitem-list-permissions), paged with `@odata.nextLink`.
 * - invite: "Send a sharing invitation" (https://learn.microsoft.com/graph/api/driveitem-invite): recipients by
 *   email, roles `read` or `write`; answers `{ value: [permission] }`. A recipient the directory does not know
 *   answers 400 `noResolvedUsers` "One or more users could not be resolved." (the service's answer, reported in
 *   OneDrive/onedrive-api-docs#1497); `requireSignIn` and `sendInvitation` both false answers 400 (#627).
 * - deletePermission: "Delete a sharing permission" (https://learn.microsoft.com/graph/api/permission-delete):
 *   204; only permissions that are not inherited can be deleted.
 * Writes need a token that may write (403 accessDenied otherwise); Sites.Selected tokens reach only their sites.
 */
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { assertCanWrite } from "../access.js";
import type { TokenRecord } from "../directory.js";
import { errors, GraphError } from "../errors.js";
import type { DriveRef, ItemAddress } from "../graphRouter.js";
import { type BodyMeter, empty, json, type Reply, readJsonBody } from "../http.js";
import { graphBaseFor } from "../publicNames.js";
import type { EmulatorState } from "../state.js";
import { page } from "./paging.js";
import { effectivePermissions, grantJson, OWNER_PERMISSION_ID } from "./permissionJson.js";
import { type GrantRecord, grantIdFor } from "./permissionStore.js";
import { driveContext, existingItem } from "./targets.js";

/** The invitation message's documented maximum length (driveitem-invite, request body). */
const MAX_MESSAGE_LENGTH = 2000;

const inviteSchema = z.object({
  recipients: z
    .array(z.object({ email: z.string({ error: "must be an email address" }).min(1) }), {
      error: "must be a list of recipients",
    })
    .min(1, { message: "must name at least one recipient" }),
  roles: z
    .array(z.enum(["read", "write"], { error: 'must be "read" or "write"' }), { error: "must be a list" })
    // Modelling choice, unconfirmed: driveitem-invite takes a roles array; graph-mirror always sends one role, and
    // the emulator refuses more rather than guess how the service combines them.
    .length(1, { message: "must hold exactly one role" }),
  requireSignIn: z.boolean({ error: "must be true or false" }).default(false),
  sendInvitation: z.boolean({ error: "must be true or false" }).default(false),
  message: z.string({ error: "must be a string" }).max(MAX_MESSAGE_LENGTH).optional(),
});

export function listPermissions(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  url: URL,
): Reply {
  const { drive, tree } = driveContext(state, token, ref);
  const item = existingItem(tree, address);
  const all = effectivePermissions(item, tree, drive, state.permissions);
  return page(all, url, state.limits.permissionsPageSize, graphBaseFor(state, url));
}

export async function invite(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  request: { req: IncomingMessage; meter: BodyMeter },
): Promise<Reply> {
  const { drive, tree } = driveContext(state, token, ref);
  assertCanWrite(token);
  const item = existingItem(tree, address);
  const body = await readJsonBody(request.req, request.meter, state.limits.maxJsonBodyBytes, inviteSchema);
  if (!body.requireSignIn && !body.sendInvitation)
    throw errors.invalidRequest("RequireSignIn and SendInvitation cannot both be false");
  const role = body.roles[0] ?? "read";
  const users = body.recipients.map((recipient) => state.directory.findUser(token.tenant, recipient.email));
  if (users.some((user) => user === undefined))
    throw new GraphError(400, "noResolvedUsers", "One or more users could not be resolved.");
  const granted: GrantRecord[] = [];
  for (const user of users) {
    if (!user) continue;
    const grant: GrantRecord = {
      id: grantIdFor(user.userPrincipalName),
      driveId: drive.id,
      itemId: item.id,
      role,
      userId: user.id,
      email: user.userPrincipalName,
      displayName: user.displayName,
    };
    state.permissions.upsert(grant);
    granted.push(grant);
  }
  state.log.count("permissionsGranted");
  return json(200, { value: granted.map(grantJson) });
}

export function deletePermission(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
): Reply {
  const { drive, tree } = driveContext(state, token, ref);
  assertCanWrite(token);
  const item = existingItem(tree, address);
  const id = address.permissionId ?? "";
  const own = state.permissions.grantsOn(drive.id, item.id).find((grant) => grant.id === id);
  if (own) {
    state.permissions.remove(own);
    return empty(204);
  }
  const effective = effectivePermissions(item, tree, drive, state.permissions).find((p) => p.id === id);
  // permission-delete (Microsoft Learn) says only sharing permissions that are not inherited can be deleted; it
  // gives no status or code. 403 accessDenied for the owner and 400 invalidRequest for an inherited one are
  // modelling choices, unconfirmed; graph-mirror reports either as a refusal without retrying.
  if (effective?.id === OWNER_PERMISSION_ID && !effective.inheritedFrom)
    throw errors.accessDenied("The owner permission of a drive cannot be removed.");
  if (effective)
    throw errors.invalidRequest("Only sharing permissions that aren't inherited can be deleted.");
  throw errors.itemNotFound("The permission could not be found.");
}
