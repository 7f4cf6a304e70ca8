/**
 * infra/main.bicep against the app's configuration: the settings the template deploys are exactly what the
 * parsers need (issue 7 "consistency test"), secrets only travel as Key Vault references, and the identity-based
 * storage settings produce clients against the deployed account's endpoints (checked without Azure).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAuthConfig } from "../../../src/config/auth.js";
import { parseGraphConfig } from "../../../src/config/graph.js";
import { HTTP_API_DEFAULTS, parseHttpApiConfig } from "../../../src/config/httpApi.js";
import { parsePipelineConfig } from "../../../src/config/pipeline.js";
import { SETTINGS, settingInfo } from "../../../src/config/settings.js";
import { parseStorageConfig, STORAGE_DEFAULTS } from "../../../src/config/storage.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import {
  DEFAULT_MIRROR_SCHEDULE,
  loadMirrorDefinitions,
  parseMirrorSettings,
} from "../../../src/mirror/settings.js";
import { createStorageClients } from "../../../src/store/factory.js";
import { readBicep } from "../../support/bicepText.js";
import {
  appSettings,
  authModes,
  context,
  evaluate,
  HOST_SETTINGS,
  IDENTITY_CLIENT_ID,
  KEY_VAULT_REFERENCE,
  mainBicep,
  PUBLIC_CLOUD,
  ROOT,
  resolveKeyVaultReferences,
  US_GOVERNMENT_CLOUD,
} from "./deployment.js";
import { runbookSettingNames } from "./runbook.js";

const bicep = mainBicep();
const modes = authModes(bicep);
const settingsByMode = new Map(modes.map((mode) => [mode, appSettings(context(bicep), mode)]));
const setInSomeMode = new Set([...settingsByMode.values()].flatMap((settings) => Object.keys(settings)));
const noFiles = { exists: () => false };

describe("infra/main.bicep app settings", () => {
  it("offers app-only Graph authentication with a secret, a certificate or the managed identity", () => {
    expect([...modes].sort()).toEqual(["client-certificate", "client-secret", "managed-identity"]);
  });

  it.each(modes)("%s: every configuration parser of the app accepts the deployed settings", async (mode) => {
    const env = resolveKeyVaultReferences(settingsByMode.get(mode) ?? {});
    expect(parseAuthConfig(env, noFiles).mode).toBe(mode);
    expect(parseStorageConfig(env).connection).toEqual({
      kind: "identity",
      tableServiceUrl: "https://stgmq7w3x2k5abcde.table.core.windows.net",
      queueServiceUrl: "https://stgmq7w3x2k5abcde.queue.core.windows.net",
      blobServiceUrl: "https://stgmq7w3x2k5abcde.blob.core.windows.net",
      clientId: IDENTITY_CLIENT_ID,
    });
    expect(parseGraphConfig(env).baseUrl).toBe("https://graph.microsoft.com/v1.0");
    expect(parsePipelineConfig(env).stepDeadlineMs).toBeGreaterThan(0);
    expect(parseHttpApiConfig(env).stagingContainer).toBe(HTTP_API_DEFAULTS.stagingContainer);
    const mirrors = parseMirrorSettings(env);
    expect(mirrors.schedule).toBe(DEFAULT_MIRROR_SCHEDULE);
    // infra/mirrors.json is compiled into MIRRORS: whatever an operator puts there must be valid.
    expect((await loadMirrorDefinitions(mirrors)).invalid).toEqual([]);
  });

  it("uses the managed identity for Graph in managed-identity mode, with no secret anywhere", () => {
    const env = settingsByMode.get("managed-identity") ?? {};
    const auth = parseAuthConfig(env, noFiles);
    expect(auth).toMatchObject({ mode: "managed-identity", clientId: IDENTITY_CLIENT_ID });
    expect(Object.values(env).filter((value) => KEY_VAULT_REFERENCE.test(value))).toEqual([]);
  });

  it("sets every setting the app cannot start without (or its identity-based stand-in) in every mode", () => {
    const always = SETTINGS.filter((s) => s.required === "always");
    expect(always.map((s) => s.name)).toContain("AzureWebJobsStorage");
    for (const [mode, settings] of settingsByMode) {
      for (const setting of always) {
        const names = [setting.name, ...(setting.satisfiedBy ?? [])];
        expect(
          names.some((name) => (settings[name] ?? "") !== ""),
          `${mode}: ${setting.name}`,
        ).toBe(true);
      }
    }
  });

  it("sets only settings the app or the Functions host knows, and none meant for local runs", () => {
    for (const name of setInSomeMode) {
      if (HOST_SETTINGS.includes(name)) continue;
      const info = settingInfo(name);
      expect(info, `${name} is not in src/config/settings.ts`).toBeDefined();
      expect(info?.scope, name).toBe("app");
    }
  });

  it("documents every app setting in docs/runbook.md, so the ones it leaves unset are documented as optional", () => {
    const documented = runbookSettingNames();
    for (const setting of SETTINGS.filter((s) => s.scope === "app")) {
      expect(documented, `docs/runbook.md "Settings" does not list ${setting.name}`).toContain(setting.name);
      // A setting the template leaves unset must not be needed, or must have a stand-in the template sets.
      if (!setInSomeMode.has(setting.name) && setting.required === "always")
        expect(
          setting.satisfiedBy?.some((name) => setInSomeMode.has(name)),
          setting.name,
        ).toBe(true);
    }
    for (const name of documented)
      expect(settingInfo(name) !== undefined || HOST_SETTINGS.includes(name), `${name} is unknown`).toBe(
        true,
      );
  });

  it("holds secrets only as versionless Key Vault references resolved with the app's identity", () => {
    const vaultUri = PUBLIC_CLOUD["keyVault.outputs.vaultUri"] ?? "";
    let references = 0;
    for (const settings of settingsByMode.values()) {
      for (const [name, value] of Object.entries(settings)) {
        if (!settingInfo(name)?.secret) continue;
        const reference = KEY_VAULT_REFERENCE.exec(value);
        expect(reference, `${name} must be a Key Vault reference`).not.toBeNull();
        // No version after the secret name: rotation (a new version) is picked up without a redeploy.
        expect(reference?.[1]).toMatch(
          new RegExp(`^${vaultUri.replace(/[.]/g, "\\.")}secrets/[A-Za-z0-9-]+/$`),
        );
        references++;
      }
    }
    expect(references).toBe(2);
    const functionApp = readFileSync(path.join(ROOT, "infra/modules/functionApp.bicep"), "utf8");
    expect(functionApp).toMatch(/^\s+keyVaultReferenceIdentity: identityId$/m);
  });

  it("never puts a secret in a parameter default, an output or a storage key", () => {
    const files = [
      "main.bicep",
      "modules/keyVault.bicep",
      "modules/storage.bicep",
      "modules/functionApp.bicep",
    ];
    for (const file of files) {
      const module = readBicep(path.join(ROOT, "infra", file));
      const secure = [...module.params.values()].filter((p) => p.secure);
      for (const param of secure) expect(param.defaultExpression ?? "''", `${file} ${param.name}`).toBe("''");
      for (const [output, expression] of module.outputs) {
        for (const param of secure) expect(expression, `${file} output ${output}`).not.toMatch(param.name);
        expect(expression, `${file} output ${output}`).not.toMatch(/listKeys|secret/i);
      }
      expect(module.text, file).not.toMatch(/listKeys\(|AccountKey=/);
    }
    expect(bicep.params.get("graphClientSecret")?.secure).toBe(true);
  });

  it("reports an unresolved Key Vault reference by setting name, as the runbook says", () => {
    const raw = settingsByMode.get("client-secret") ?? {};
    let error: unknown;
    try {
      parseAuthConfig(raw, noFiles);
    } catch (err: unknown) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.field)).toEqual(["AZURE_CLIENT_SECRET"]);
  });

  it("repeats the app's defaults where the template needs the name itself", () => {
    const ctx = context(bicep);
    expect(evaluate("wakeQueueName", ctx)).toBe(STORAGE_DEFAULTS.wakeQueue);
    expect(evaluate("stagingContainerName", ctx)).toBe(HTTP_API_DEFAULTS.stagingContainer);
    expect(evaluate("mirrorSchedule", ctx)).toBe(DEFAULT_MIRROR_SCHEDULE);
  });

  it("disables shared-key storage access and grants the identity the built-in data roles", () => {
    const storage = readFileSync(path.join(ROOT, "infra/modules/storage.bicep"), "utf8");
    expect(storage).toMatch(/^\s+allowSharedKeyAccess: false$/m);
    // Built-in role definition ids (Microsoft's Flex Consumption quickstart; Azure built-in roles, Storage).
    for (const roleId of [
      "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
      "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
      "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
    ])
      expect(storage).toContain(`'${roleId}'`);
    const keyVault = readFileSync(path.join(ROOT, "infra/modules/keyVault.bicep"), "utf8");
    expect(keyVault).toMatch(/^\s+enableRbacAuthorization: true$/m);
    expect(keyVault).toContain("'4633458b-17de-408a-b874-0445c86b69e6'"); // Key Vault Secrets User
  });
});

describe("identity-based storage settings from the template", () => {
  const storageModule = readBicep(path.join(ROOT, "infra/modules/storage.bicep"));

  it("take the endpoints from what Azure reports for the account, not from a hard-coded DNS suffix", () => {
    expect(storageModule.outputs.get("blobEndpoint")).toBe("storage.properties.primaryEndpoints.blob");
    expect(storageModule.outputs.get("queueEndpoint")).toBe("storage.properties.primaryEndpoints.queue");
    expect(storageModule.outputs.get("tableEndpoint")).toBe("storage.properties.primaryEndpoints.table");
  });

  it.each([
    ["public cloud", PUBLIC_CLOUD],
    ["US Government cloud", US_GOVERNMENT_CLOUD],
  ])("build table, queue and blob clients against the deployed account (%s)", (_cloud, platform) => {
    const env = appSettings(context(bicep, undefined, platform), "client-secret");
    const config = parseStorageConfig(env);
    expect(config.connection).toMatchObject({ kind: "identity", clientId: IDENTITY_CLIENT_ID });
    const clients = createStorageClients(config);
    const endpoint = (name: string) => (platform[`storage.outputs.${name}Endpoint`] ?? "").replace(/\/$/, "");
    expect(clients.jobsTable.url).toBe(endpoint("table"));
    expect(clients.jobsTable.tableName).toBe(STORAGE_DEFAULTS.jobsTable);
    expect(clients.throttleTable.url).toBe(endpoint("table"));
    expect(clients.wakeQueue.url).toBe(`${endpoint("queue")}/${STORAGE_DEFAULTS.wakeQueue}`);
    expect(clients.poisonQueue.url).toBe(`${endpoint("queue")}/${STORAGE_DEFAULTS.wakeQueue}-poison`);
    expect(clients.blobService.url.replace(/\/$/, "")).toBe(endpoint("blob"));
  });
});
