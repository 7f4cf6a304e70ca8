/**
 * Small readers the authentication parsers share. Every one reports a problem by setting name and rule, never by
 * value: most authentication settings are secrets (docs/design.md invariant 5).
 */
import type { FieldProblem } from "../../core/shared/validationError.js";
import type { Env } from "./types.js";

/** The trimmed value, or undefined when absent or blank (a blank setting counts as not set). */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The value of a setting `mode` cannot do without; when absent, a problem is recorded and "" returned. */
export function requiredSetting(env: Env, name: string, mode: string, problems: FieldProblem[]): string {
  const value = nonEmpty(env[name]);
  if (value === undefined) problems.push({ field: name, rule: `is required for ${mode} authentication` });
  return value ?? "";
}

export function parseBoolean(env: Env, name: string, problems: FieldProblem[]): boolean {
  const value = nonEmpty(env[name])?.toLowerCase();
  if (value === undefined) return false;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  problems.push({ field: name, rule: "must be true or false" });
  return false;
}

const KEY_VAULT_REFERENCE = /^\s*@Microsoft\.KeyVault\s*\(/i;

/**
 * A Key Vault reference the Functions host could not resolve arrives as its literal text
 * (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#troubleshooting-key-vault-references).
 * Other parts of the configuration can use this for their own secret-bearing settings.
 */
export function unresolvedKeyVaultProblem(name: string, value: string | undefined): FieldProblem | undefined {
  if (value === undefined || !KEY_VAULT_REFERENCE.test(value)) return undefined;
  return {
    field: name,
    rule:
      "is an unresolved Key Vault reference (@Microsoft.KeyVault(...) arrived as literal text): check that the " +
      "app's managed identity has the Key Vault Secrets User role (or a get-secret access policy) on the vault, " +
      "that the SecretUri or VaultName/SecretName exists and is enabled, and that the vault's network rules let " +
      "the app in; the app's Environment variables blade shows the reference status",
  };
}
