/**
 * The app settings infra/main.bicep gives the function app, computed from the template text (see
 * test/support/bicepText.ts) with realistic values for what only Azure knows at deployment time.
 */
import path from "node:path";
import {
  type BicepFile,
  type EvaluationContext,
  evaluate,
  evaluateObject,
  paramValue,
  readBicep,
} from "../../support/bicepText.js";

export const ROOT = path.resolve(import.meta.dirname, "../../..");
export const MAIN_BICEP = path.join(ROOT, "infra", "main.bicep");

export const IDENTITY_CLIENT_ID = "3f0c2b9e-7d41-4a51-9a43-2f6b8c1d0e55";

/** What Azure reports for the deployed resources, public cloud. */
export const PUBLIC_CLOUD: Readonly<Record<string, string>> = {
  "resourceGroup().location": "swedencentral",
  "tenant().tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
  "storage.outputs.blobEndpoint": "https://stgmq7w3x2k5abcde.blob.core.windows.net/",
  "storage.outputs.queueEndpoint": "https://stgmq7w3x2k5abcde.queue.core.windows.net/",
  "storage.outputs.tableEndpoint": "https://stgmq7w3x2k5abcde.table.core.windows.net/",
  "identity.properties.clientId": IDENTITY_CLIENT_ID,
  "identity.properties.principalId": "9d2e6a4b-0c1f-4e8d-b7a6-5f4e3d2c1b0a",
  "identity.id":
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-graph-mirror-q7w3x2k5abcde",
  "monitoring.outputs.connectionString":
    "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/",
  "keyVault.outputs.vaultUri": "https://kv-gm-q7w3x2k5abcde.vault.azure.net/",
};

/** The same deployment in US Government cloud: other DNS suffixes, which the settings must carry through. */
export const US_GOVERNMENT_CLOUD: Readonly<Record<string, string>> = {
  ...PUBLIC_CLOUD,
  "storage.outputs.blobEndpoint": "https://stgmq7w3x2k5abcde.blob.core.usgovcloudapi.net/",
  "storage.outputs.queueEndpoint": "https://stgmq7w3x2k5abcde.queue.core.usgovcloudapi.net/",
  "storage.outputs.tableEndpoint": "https://stgmq7w3x2k5abcde.table.core.usgovcloudapi.net/",
  "keyVault.outputs.vaultUri": "https://kv-gm-q7w3x2k5abcde.vault.usgovcloudapi.net/",
};

/** What an operator passes (docs/runbook.md "Deploy"): the parameters without a default, and the app id. */
export const OPERATOR_INPUTS = {
  environmentName: "prod",
  graphClientId: "5b1d7e3a-2c4f-4a8b-9e6d-1f0a2b3c4d5e",
} as const;

/**
 * Settings the Functions host and platform read, not graph-mirror's code (so src/config/settings.ts does not
 * list them): Application Insights' connection and Microsoft Entra ingestion (Azure Monitor docs, "Microsoft
 * Entra authentication for Application Insights").
 */
export const HOST_SETTINGS = [
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
];

export function mainBicep(): BicepFile {
  return readBicep(MAIN_BICEP);
}

export function context(
  bicep: BicepFile,
  inputs: EvaluationContext["inputs"] = OPERATOR_INPUTS,
  platform = PUBLIC_CLOUD,
): EvaluationContext {
  return { bicep, inputs, platform };
}

/** The auth modes the template offers (the `@allowed` list of its auth-mode parameter). */
export function authModes(bicep: BicepFile): string[] {
  const { modeParam } = settingsWiring(bicep);
  const allowed = bicep.params.get(modeParam)?.allowed;
  if (!allowed) throw new Error(`parameter ${modeParam} has no @allowed list`);
  return allowed.map(String);
}

/** The function app's settings for one auth mode, exactly as the template composes them. */
export function appSettings(ctx: EvaluationContext, mode: string): Record<string, string> {
  const { common, byMode, modeParam } = settingsWiring(ctx.bicep);
  const withMode: EvaluationContext = { ...ctx, inputs: { ...ctx.inputs, [modeParam]: mode } };
  const modes = evaluateObject(byMode, withMode);
  const chosen = modes[String(paramValue(modeParam, withMode))];
  if (typeof chosen !== "object" || chosen === null || Array.isArray(chosen))
    throw new Error(`${byMode} has no settings for ${mode}`);
  const merged: Record<string, unknown> = { ...evaluateObject(common, withMode), ...chosen };
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) {
    if (typeof value !== "string")
      throw new Error(`app setting ${name} is not a string: ${JSON.stringify(value)}`);
    result[name] = value;
  }
  return result;
}

/**
 * How main.bicep wires the settings into the function app module:
 * `appSettings: union(<common>, <byMode>[<modeParam>])`.
 */
export function settingsWiring(bicep: BicepFile): { common: string; byMode: string; modeParam: string } {
  const wiring = /appSettings: union\((\w+), (\w+)\[(\w+)\]\)/.exec(bicep.text);
  if (!wiring) throw new Error("main.bicep no longer passes appSettings: union(common, byMode[mode])");
  const [, common = "", byMode = "", modeParam = ""] = wiring;
  return { common, byMode, modeParam };
}

export const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(SecretUri=(https:\/\/[^)]+)\)$/;

/** What the platform hands the app once it has resolved each Key Vault reference. */
export function resolveKeyVaultReferences(settings: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    resolved[name] = KEY_VAULT_REFERENCE.test(value) ? resolvedSecret(name) : value;
  }
  return resolved;
}

function resolvedSecret(name: string): string {
  if (name === "AZURE_CLIENT_CERTIFICATE_PEM")
    return [
      "-----BEGIN CERTIFICATE-----",
      "MIIBfake",
      "-----END CERTIFICATE-----",
      "-----BEGIN PRIVATE KEY-----",
      "MIIEfake",
      "-----END PRIVATE KEY-----",
    ].join("\n");
  return "resolved-secret-value";
}

export { evaluate };
