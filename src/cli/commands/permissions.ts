/**
 * `graph-mirror permissions list|grant|revoke` (issue 14): who has access to a destination item, and inviting
 * or removing a user. `list` needs a token that can read (src/auth/readGate.ts); `grant` and `revoke` are refused
 * before any request when the token cannot share (src/auth/sharingGate.ts). docs/permissions.md.
 * Exit codes: 0 done; 1 nothing at that path, or no permission to revoke; 2 bad argument, setting or token.
 */
import type { Command } from "commander";
import type { ReadCommandIo } from "./ls.js";
import { listPermissionsCommand } from "./permissionsList.js";
import { type GrantOptions, grantCommand, type RevokeOptions, revokeCommand } from "./permissionsWrite.js";

const DESTINATION =
  "drive:<driveId>:<path>, onedrive:<user>:<path> or sharepoint:<site URL>:<library>:<path>";
const EXIT_CODES =
  "\nExit codes: 0 done; 1 nothing at that path or nothing to revoke; 2 bad argument, setting or token.";

function processIo(): ReadCommandIo {
  return { env: process.env, stdout: process.stdout, stderr: process.stderr };
}

export function register(program: Command): void {
  const permissions = program
    .command("permissions")
    .description("who has access to a destination item; grant or revoke a user's access");
  permissions
    .command("list")
    .argument("<item>", DESTINATION)
    .description("users, groups and links with access, their roles, inherited or not")
    .option("--json", "print a JSON object: the item and its permissions")
    .addHelpText("after", EXIT_CODES)
    .action(async (item: string, options: { json?: boolean }) => {
      process.exitCode = await listPermissionsCommand(item, options, processIo());
    });
  permissions
    .command("grant")
    .argument("<item>", DESTINATION)
    .description("invite a user (sign-in required) to read or write the item")
    .requiredOption("--to <email>", "the user's e-mail address or user principal name")
    .requiredOption("--role <role>", "read or write")
    .option("--message <text>", "text for the invitation e-mail (with --send-invitation)")
    .option(
      "--send-invitation",
      "have Microsoft e-mail the user a link; otherwise access is granted silently",
    )
    .addHelpText("after", EXIT_CODES)
    .action(async (item: string, options: GrantOptions) => {
      process.exitCode = await grantCommand(item, options, processIo());
    });
  permissions
    .command("revoke")
    .argument("<item>", DESTINATION)
    .description("remove a permission by id, or every direct permission of a user")
    .option("--permission <id>", "the permission id `permissions list` shows")
    .option("--user <email>", "remove the item's own permissions granting this user access")
    .addHelpText("after", EXIT_CODES)
    .action(async (item: string, options: RevokeOptions) => {
      process.exitCode = await revokeCommand(item, options, processIo());
    });
}
