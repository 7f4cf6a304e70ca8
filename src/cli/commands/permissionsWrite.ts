/**
 * `graph-mirror permissions grant` and `revoke`. Arguments are checked first, then the sharing gate
 * (src/auth/sharingGate.ts) refuses a token that cannot share before any request; only then is Graph called.
 */

import { createServices } from "../../app/services.js";
import { loadConfig } from "../../config/index.js";
import { invite, itemIdAt, listPermissions, removePermission } from "../../permissions/graphPermissions.js";
import { checkEmail, checkRole, MAX_MESSAGE_LENGTH, problem } from "../../permissions/shareInput.js";
import { directGrantsTo } from "../../permissions/sharingEntry.js";
import { sharingGraph } from "../../permissions/sharingWiring.js";
import { describeDestination, parseRemoteDestination, resolveRemoteFolder } from "../../read/remoteTarget.js";
import type { ReadCommandIo } from "./ls.js";
import { nothingAt } from "./nothingAt.js";

export interface GrantOptions {
  readonly to?: string;
  readonly role?: string;
  readonly message?: string;
  readonly sendInvitation?: boolean;
}

export interface RevokeOptions {
  readonly permission?: string;
  readonly user?: string;
}

export async function grantCommand(
  itemText: string,
  options: GrantOptions,
  io: ReadCommandIo,
): Promise<number> {
  const destination = parseRemoteDestination(itemText, "<item>");
  const email = checkEmail("--to", options.to);
  const role = checkRole("--role", options.role);
  const sendInvitation = options.sendInvitation === true;
  if (options.message !== undefined && !sendInvitation)
    throw problem("--message", "is only sent with --send-invitation; add it or leave --message out");
  if (options.message !== undefined && options.message.length > MAX_MESSAGE_LENGTH)
    throw problem("--message", `must be at most ${MAX_MESSAGE_LENGTH} characters`);
  const http = await sharingGraph(createServices(loadConfig(io.env)), io.signal);
  const where = describeDestination(destination);
  try {
    const folder = await resolveRemoteFolder(http, destination, io.signal);
    const id = await itemIdAt(http, folder.driveId, folder.path, io.signal);
    const granted = await invite(
      http,
      folder.driveId,
      id,
      { email, role, sendInvitation, ...(options.message !== undefined ? { message: options.message } : {}) },
      io.signal,
    );
    for (const entry of granted)
      io.stdout.write(
        `granted ${entry.roles.join(",")} on ${where} to ${entry.email ?? email} (id ${entry.id})\n`,
      );
    return 0;
  } catch (err: unknown) {
    return nothingAt(err, where, io);
  }
}

export async function revokeCommand(
  itemText: string,
  options: RevokeOptions,
  io: ReadCommandIo,
): Promise<number> {
  const destination = parseRemoteDestination(itemText, "<item>");
  if ((options.permission === undefined) === (options.user === undefined))
    throw problem(
      "--permission/--user",
      "give exactly one: a permission id, or the user whose access to remove",
    );
  if (options.permission !== undefined && options.permission.trim() === "")
    throw problem("--permission", "must not be empty");
  const user = options.user === undefined ? undefined : checkEmail("--user", options.user);
  const http = await sharingGraph(createServices(loadConfig(io.env)), io.signal);
  const where = describeDestination(destination);
  try {
    const folder = await resolveRemoteFolder(http, destination, io.signal);
    const id = await itemIdAt(http, folder.driveId, folder.path, io.signal);
    let ids = options.permission === undefined ? [] : [options.permission];
    if (user !== undefined) {
      const entries = await listPermissions(http, folder.driveId, id, io.signal);
      ids = directGrantsTo(entries, user).map((entry) => entry.id);
      if (ids.length === 0) {
        const inherited = entries.some((e) => e.inherited && e.email?.toLowerCase() === user.toLowerCase());
        io.stderr.write(
          `graph-mirror: no permission of ${where} itself grants ${user} access` +
            (inherited ? " (the access is inherited: revoke it on the folder it comes from)\n" : "\n"),
        );
        return 1;
      }
    }
    for (const permissionId of ids) {
      try {
        await removePermission(http, folder.driveId, id, permissionId, io.signal);
      } catch (err: unknown) {
        return nothingAt(err, `${where} with permission id ${permissionId}`, io);
      }
      io.stdout.write(`revoked permission ${permissionId} on ${where}${user ? ` (${user})` : ""}\n`);
    }
    return 0;
  } catch (err: unknown) {
    return nothingAt(err, where, io);
  }
}
