/**
 * The compiled ARM templates (npm run infra:build) against the code: the app settings the deployment gives the
 * function app, evaluated from the ARM JSON the compiler produced, are accepted by the app's own configuration
 * parsers in every auth mode; the identity the app runs as holds exactly the roles the code needs on the resources
 * it uses; the outputs are the ones the runbook names, and none carries a secret. Run by `npm run test:infra`;
 * it fails (never skips) when the compiled templates are missing or stale.
 */
import { describe, expect, it } from "vitest";
import { parseAuthConfig } from "../../src/config/auth.js";
import { parseGraphConfig } from "../../src/config/graph.js";
import { HTTP_API_DEFAULTS, parseHttpApiConfig } from "../../src/config/httpApi.js";
import { parsePipelineConfig } from "../../src/config/pipeline.js";
import { SETTINGS, settingInfo } from "../../src/config/settings.js";
import { parseStorageConfig, STORAGE_DEFAULTS } from "../../src/config/storage.js";
import {
  DEFAULT_MIRROR_SCHEDULE,
  loadMirrorDefinitions,
  parseMirrorSettings,
} from "../../src/mirror/settings.js";
import { createStorageClients } from "../../src/store/factory.js";
import { HOST_SETTINGS, KEY_VAULT_REFERENCE, resolveKeyVaultReferences } from "../unit/infra/deployment.js";
import {
  type DeployedResource,
  deployedResources,
  evaluate,
  IDENTITY,
  type Json,
  loadMainTemplate,
  moduleScope,
  PLATFORM_REFERENCES,
  parameter,
  resourceIdOf,
  type Scope,
} from "./armTemplate.js";

const template = loadMainTemplate();
const OPERATOR_INPUTS = { environmentName: "prod", graphClientId: "5b1d7e3a-2c4f-4a8b-9e6d-1f0a2b3c4d5e" };
const OPERATOR_ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const noFiles = { exists: () => false };

function mainScope(inputs: Record<string, Json> = {}): Scope {
  return { template, inputs: { ...OPERATOR_INPUTS, ...inputs }, references: PLATFORM_REFERENCES };
}

const modes = (template.parameters.graphAuthMode?.allowedValues ?? []).map(String);

/** The function app's app settings as ARM would set them: the appsettings resource of the functionApp module. */
function appSettings(mode: string): Record<string, string> {
  const functionApp = moduleScope(mainScope({ graphAuthMode: mode }), "functionApp");
  const config = deployedResources(functionApp).filter(
    (r) => r.type === "Microsoft.Web/sites/config" && r.name.endsWith("/appsettings"),
  );
  expect(config.map((r) => r.name)).toEqual([`${String(functionApp.inputs.name)}/appsettings`]);
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(config[0]?.properties ?? {})) {
    expect(typeof value, `${mode}: ${name} is not a string`).toBe("string");
    settings[name] = String(value);
  }
  return settings;
}

const settingsByMode = new Map(modes.map((mode) => [mode, appSettings(mode)]));

describe("compiled infra/main.json: app settings", () => {
  it("offers app-only Graph authentication with a secret, a certificate or the managed identity", () => {
    expect([...modes].sort()).toEqual(["client-certificate", "client-secret", "managed-identity"]);
  });

  it.each(modes)("%s: every configuration parser of the app accepts the deployed settings", async (mode) => {
    const env = resolveKeyVaultReferences(settingsByMode.get(mode) ?? {});
    expect(parseAuthConfig(env, noFiles).mode).toBe(mode);
    const storage = parseStorageConfig(env);
    expect(storage.connection).toEqual({
      kind: "identity",
      tableServiceUrl: "https://stgmq7w3x2k5abcde.table.core.windows.net",
      queueServiceUrl: "https://stgmq7w3x2k5abcde.queue.core.windows.net",
      blobServiceUrl: "https://stgmq7w3x2k5abcde.blob.core.windows.net",
      clientId: IDENTITY.clientId,
    });
    const clients = createStorageClients(storage);
    expect(clients.wakeQueue.url).toBe(
      `https://stgmq7w3x2k5abcde.queue.core.windows.net/${STORAGE_DEFAULTS.wakeQueue}`,
    );
    expect(parseGraphConfig(env).baseUrl).toBe("https://graph.microsoft.com/v1.0");
    expect(parsePipelineConfig(env).stepDeadlineMs).toBeGreaterThan(0);
    expect(parseHttpApiConfig(env).stagingContainer).toBe(HTTP_API_DEFAULTS.stagingContainer);
    const mirrors = parseMirrorSettings(env);
    expect(mirrors.schedule).toBe(DEFAULT_MIRROR_SCHEDULE);
    expect((await loadMirrorDefinitions(mirrors)).invalid).toEqual([]);
  });

  it("sets every setting the app cannot start without, and only settings the app or the host knows", () => {
    for (const [mode, settings] of settingsByMode) {
      for (const setting of SETTINGS.filter((s) => s.required === "always")) {
        const names = [setting.name, ...(setting.satisfiedBy ?? [])];
        expect(
          names.some((name) => (settings[name] ?? "") !== ""),
          `${mode}: ${setting.name}`,
        ).toBe(true);
      }
      for (const name of Object.keys(settings)) {
        if (HOST_SETTINGS.includes(name)) continue;
        expect(settingInfo(name)?.scope, `${mode}: ${name}`).toBe("app");
      }
    }
  });

  it("holds secrets only as versionless Key Vault references into the deployed vault", () => {
    let references = 0;
    for (const settings of settingsByMode.values()) {
      for (const [name, value] of Object.entries(settings)) {
        if (!settingInfo(name)?.secret) continue;
        expect(KEY_VAULT_REFERENCE.exec(value)?.[1], name).toMatch(
          /^https:\/\/kv-gm-q7w3x2k5abcde\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]+\/$/,
        );
        references++;
      }
    }
    expect(references).toBe(2);
    expect(template.parameters.graphClientSecret?.type).toBe("securestring");
  });

  it("uses the user-assigned identity for storage, Key Vault references, telemetry and (in its mode) Graph", () => {
    const secret = settingsByMode.get("client-secret") ?? {};
    expect(secret.AzureWebJobsStorage__clientId).toBe(IDENTITY.clientId);
    expect(secret.AzureWebJobsStorage__credential).toBe("managedidentity");
    expect(secret.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(
      `ClientId=${IDENTITY.clientId};Authorization=AAD`,
    );
    const managed = settingsByMode.get("managed-identity") ?? {};
    expect(parseAuthConfig(managed, noFiles)).toMatchObject({
      mode: "managed-identity",
      clientId: IDENTITY.clientId,
    });
  });

  it("repeats the app's defaults where the template needs the name itself", () => {
    const scope = mainScope();
    expect(parameter(scope, "wakeQueueName")).toBe(STORAGE_DEFAULTS.wakeQueue);
    expect(parameter(scope, "stagingContainerName")).toBe(HTTP_API_DEFAULTS.stagingContainer);
    expect(parameter(scope, "mirrorSchedule")).toBe(DEFAULT_MIRROR_SCHEDULE);
  });
});

const identityId = resourceIdOf(
  "Microsoft.ManagedIdentity/userAssignedIdentities",
  String(evaluate(template.resources.identity?.name ?? "", mainScope())),
);

describe("compiled infra/main.json: the function app and its identity", () => {
  const functionApp = moduleScope(mainScope(), "functionApp");
  const site = deployedResources(functionApp).find((r) => r.type === "Microsoft.Web/sites");

  it("runs the Flex Consumption app on Node.js 22 as the user-assigned identity only", () => {
    expect(site?.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: { [identityId]: {} } });
    const properties = site?.properties as { [key: string]: Json };
    expect(properties.keyVaultReferenceIdentity).toBe(identityId);
    expect(properties.httpsOnly).toBe(true);
    expect(properties.functionAppConfig).toMatchObject({
      runtime: { name: "node", version: "22" },
      deployment: {
        storage: {
          type: "blobContainer",
          value: "https://stgmq7w3x2k5abcde.blob.core.windows.net/app-package",
          authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: identityId },
        },
      },
    });
  });
});

// Built-in role definition ids (Azure built-in roles; the same in every tenant).
const ROLE = {
  blobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  blobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  queueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  tableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

/** Every role assignment the deployment makes: "<scope type> <role id> <principal id> <principal type>". */
function roleAssignments(inputs: Record<string, Json> = {}): string[] {
  const main = mainScope(inputs);
  const all: DeployedResource[] = Object.entries(template.resources)
    .filter(([, r]) => r.type === "Microsoft.Resources/deployments")
    .flatMap(([name]) => deployedResources(moduleScope(main, name)));
  return all
    .filter((r) => r.type === "Microsoft.Authorization/roleAssignments")
    .map((r) => {
      const scopeType = /\/providers\/(.+)\/[^/]+$/.exec(r.scope ?? "")?.[1];
      const role = String(r.properties.roleDefinitionId).split("/").pop();
      return `${scopeType} ${role} ${String(r.properties.principalId)} ${String(r.properties.principalType)}`;
    })
    .sort();
}

describe("compiled infra/main.json: role assignments", () => {
  const app = (scope: string, role: string) => `${scope} ${role} ${IDENTITY.principalId} ServicePrincipal`;

  it("grants the app identity exactly what the code uses: storage data, Key Vault secrets, telemetry", () => {
    expect(roleAssignments()).toEqual(
      [
        // Host and app tables, queues and blobs (the host's lease and deployment blobs need Owner).
        app("Microsoft.Storage/storageAccounts", ROLE.blobDataOwner),
        app("Microsoft.Storage/storageAccounts", ROLE.queueDataContributor),
        app("Microsoft.Storage/storageAccounts", ROLE.tableDataContributor),
        // Key Vault references in the app settings.
        app("Microsoft.KeyVault/vaults", ROLE.keyVaultSecretsUser),
        // APPLICATIONINSIGHTS_AUTHENTICATION_STRING: Entra ingestion with local auth disabled.
        app("Microsoft.Insights/components", ROLE.monitoringMetricsPublisher),
      ].sort(),
    );
  });

  it("adds the operator's roles only when an operator is named", () => {
    const withOperator = roleAssignments({
      operatorPrincipalId: OPERATOR_ID,
      operatorPrincipalType: "Group",
    });
    const operator = withOperator.filter((line) => line.includes(OPERATOR_ID));
    expect(operator).toEqual(
      [
        `Microsoft.KeyVault/vaults ${ROLE.keyVaultSecretsOfficer} ${OPERATOR_ID} Group`,
        `Microsoft.Storage/storageAccounts ${ROLE.blobDataContributor} ${OPERATOR_ID} Group`,
        `Microsoft.Storage/storageAccounts ${ROLE.queueDataContributor} ${OPERATOR_ID} Group`,
        `Microsoft.Storage/storageAccounts ${ROLE.tableDataContributor} ${OPERATOR_ID} Group`,
      ].sort(),
    );
  });

  it("seeds role assignment names with values known before deployment (what-if can predict them)", () => {
    const main = mainScope();
    for (const name of ["storage", "keyVault", "monitoring"]) {
      for (const r of deployedResources(moduleScope(main, name)))
        if (r.type === "Microsoft.Authorization/roleAssignments")
          expect(r.name, `${name} ${r.symbol}`).not.toContain(IDENTITY.principalId);
    }
  });
});

describe("compiled infra/main.json: storage and Key Vault", () => {
  const resources = (name: string) => deployedResources(moduleScope(mainScope(), name));

  it("disables shared-key storage access and creates the queues the triggers read", () => {
    const storage = resources("storage");
    const account = storage.find((r) => r.type === "Microsoft.Storage/storageAccounts");
    expect(account?.properties).toMatchObject({ allowSharedKeyAccess: false, allowBlobPublicAccess: false });
    const queues = storage.filter((r) => r.type.endsWith("/queues")).map((r) => r.name.split("/").pop());
    expect(queues.sort()).toEqual([STORAGE_DEFAULTS.wakeQueue, `${STORAGE_DEFAULTS.wakeQueue}-poison`]);
    const containers = storage
      .filter((r) => r.type.endsWith("/containers"))
      .map((r) => r.name.split("/").pop());
    expect(containers.sort()).toEqual(["app-package", HTTP_API_DEFAULTS.stagingContainer].sort());
  });

  it("keeps the vault in RBAC mode and stores a secret only when one is passed", () => {
    const vault = resources("keyVault");
    expect(
      vault.find((r) => r.type === "Microsoft.KeyVault/vaults")?.properties.enableRbacAuthorization,
    ).toBe(true);
    expect(vault.filter((r) => r.type === "Microsoft.KeyVault/vaults/secrets")).toEqual([]);
  });
});

describe("compiled infra/main.json: outputs", () => {
  const outputs = template.outputs ?? {};

  it("gives azd and the runbook the names and ids they use, evaluated", () => {
    const values = Object.fromEntries(
      Object.entries(outputs).map(([name, output]) => [name, evaluate(output.value, mainScope())]),
    );
    expect(values).toEqual({
      AZURE_LOCATION: "swedencentral",
      AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      AZURE_RESOURCE_GROUP: "rg-graph-mirror",
      FUNCTION_APP_NAME: "func-graph-mirror-q7w3x2k5abcde",
      FUNCTION_APP_URL: "https://func-graph-mirror-q7w3x2k5abcde.azurewebsites.net",
      STORAGE_ACCOUNT_NAME: "stgmq7w3x2k5abcde",
      KEY_VAULT_NAME: "kv-gm-q7w3x2k5abcde",
      APPLICATION_INSIGHTS_NAME: "appi-graph-mirror-q7w3x2k5abcde",
      LOG_ANALYTICS_NAME: "log-graph-mirror-q7w3x2k5abcde",
      MANAGED_IDENTITY_CLIENT_ID: IDENTITY.clientId,
      MANAGED_IDENTITY_PRINCIPAL_ID: IDENTITY.principalId,
    });
  });

  it("never outputs a secret, a key or a connection string", () => {
    const text = JSON.stringify(outputs);
    expect(text).not.toMatch(/listKeys|connectionString|graphClientSecret|secureString/i);
    for (const output of Object.values(outputs)) expect(output.type).toBe("string");
  });
});
