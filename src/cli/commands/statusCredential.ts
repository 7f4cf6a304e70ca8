/**
 * Which credential `graph-mirror status --azure` reads the function app's tables with. The default stays the
 * managed identity (the app's own, on an Azure host); an operator's laptop has none, so `--credential cli` uses
 * the Azure CLI sign-in (`az login`) instead, only when asked: never a silent chain of credentials (README "How
 * the packages are used"). The signed-in user needs a data role on the storage account (the template gives the
 * operator one: operatorPrincipalId).
 */
import { AzureCliCredential } from "@azure/identity";
import { ConfigError } from "../../core/shared/validationError.js";
import type { StorageFactoryOptions } from "../../store/factory.js";

export const STATUS_CREDENTIALS = ["managed-identity", "cli"] as const;
export type StatusCredential = (typeof STATUS_CREDENTIALS)[number];

/** The storage factory's options for `--credential`; builds the credential object only, calls nothing. */
export function statusStorageOptions(credential: string | undefined): StorageFactoryOptions {
  const kind = STATUS_CREDENTIALS.find((k) => k === (credential ?? "managed-identity"));
  if (!kind)
    throw new ConfigError([{ field: "--credential", rule: "must be managed-identity or cli" }], "option");
  return kind === "cli" ? { credential: new AzureCliCredential() } : {};
}
