/** Checks of what a user types for sharing: each problem names the field and the rule it breaks. */
import { ConfigError } from "../core/shared/validationError.js";
import type { ShareRole } from "./graphPermissions.js";

/** Deliberately loose: Graph resolves the address; this only catches what cannot be one. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** driveitem-invite: the invitation message is at most 2,000 characters. */
export const MAX_MESSAGE_LENGTH = 2000;

export const EMAIL_RULE = "must be an e-mail address or user principal name (user@example.com)";
export const ROLE_RULE = 'must be "read" or "write"';

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

export function isShareRole(value: string): value is ShareRole {
  return value === "read" || value === "write";
}

export function problem(field: string, rule: string): ConfigError {
  return new ConfigError([{ field, rule }], "arguments");
}

export function checkEmail(field: string, value: string | undefined): string {
  if (value === undefined || !isEmail(value)) throw problem(field, EMAIL_RULE);
  return value;
}

export function checkRole(field: string, value: string | undefined): ShareRole {
  if (value === undefined || !isShareRole(value)) throw problem(field, ROLE_RULE);
  return value;
}
