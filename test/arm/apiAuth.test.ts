/**
 * The compiled templates (npm run infra:build) for the HTTP API's authentication and the early parameter
 * checks: Easy Auth (authsettingsV2) follows apiAuth, guards everything but /api/health and validates tokens
 * for the API's app registration; API_AUTH tells the handlers the same; an empty client id where one is needed
 * stops the deployment with fail() and a message naming the parameter, evaluated as ARM would.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseHttpApiConfig } from "../../src/config/httpApi.js";
import { captureRegistrations } from "../support/functionRegistrations.js";
import {
  ArmDeploymentFailure,
  type DeployedResource,
  deployedResources,
  type Json,
  loadMainTemplate,
  moduleScope,
  PLATFORM_REFERENCES,
  ROOT,
  type Scope,
  TENANT_ID,
} from "./armTemplate.js";

const template = loadMainTemplate();
const GRAPH_APP = "5b1d7e3a-2c4f-4a8b-9e6d-1f0a2b3c4d5e";
const API_APP = "8c7b6a59-4d3e-4f2a-9b1c-0d9e8f7a6b5c";

function mainScope(inputs: Record<string, Json>): Scope {
  return {
    template,
    inputs: { environmentName: "prod", graphClientId: GRAPH_APP, ...inputs },
    references: PLATFORM_REFERENCES,
  };
}

function siteConfig(inputs: Record<string, Json>, name: string): DeployedResource | undefined {
  const functionApp = moduleScope(mainScope(inputs), "functionApp");
  return deployedResources(functionApp).find(
    (r) => r.type === "Microsoft.Web/sites/config" && r.name.endsWith(`/${name}`),
  );
}

describe("compiled infra: the HTTP API's authentication", () => {
  it("functionKey (default): Easy Auth is deployed switched off, API_AUTH=functionKey", () => {
    expect(template.parameters.apiAuth?.defaultValue).toBe("functionKey");
    expect(siteConfig({}, "authsettingsV2")?.properties).toEqual({ platform: { enabled: false } });
    expect(siteConfig({}, "appsettings")?.properties.API_AUTH).toBe("functionKey");
  });

  it("entra: Easy Auth requires a token for the API's app registration, except on /api/health", () => {
    const inputs = { apiAuth: "entra", apiAuthClientId: API_APP };
    const auth = siteConfig(inputs, "authsettingsV2")?.properties;
    expect(auth).toMatchObject({
      platform: { enabled: true },
      globalValidation: {
        requireAuthentication: true,
        unauthenticatedClientAction: "Return401",
        excludedPaths: ["/api/health"],
      },
      httpSettings: { requireHttps: true },
      identityProviders: {
        azureActiveDirectory: {
          enabled: true,
          registration: {
            clientId: API_APP,
            openIdIssuer: `https://login.microsoftonline.com/${TENANT_ID}/v2.0`,
          },
          validation: { allowedAudiences: [`api://${API_APP}`] },
        },
      },
    });
    const settings = siteConfig(inputs, "appsettings")?.properties as Record<string, string>;
    expect(settings.API_AUTH).toBe("entra");
    expect(parseHttpApiConfig(settings).apiAuth).toBe("entra");
  });

  it("entra with a named audience validates that audience", () => {
    const auth = siteConfig(
      { apiAuth: "entra", apiAuthClientId: API_APP, apiAuthAudience: "https://uploads.contoso.com" },
      "authsettingsV2",
    )?.properties as { identityProviders: { azureActiveDirectory: { validation: unknown } } };
    expect(auth.identityProviders.azureActiveDirectory.validation).toEqual({
      allowedAudiences: ["https://uploads.contoso.com"],
    });
  });
});

describe("compiled infra against the functions the app registers under API_AUTH=entra", () => {
  it("excludes exactly the health route from Easy Auth; routes that check app roles are anonymous, health keeps its key", async () => {
    // The upload functions read API_AUTH when they register, as the worker loads them in Azure.
    process.env.API_AUTH = "entra";
    const registered = await captureRegistrations();
    const host = JSON.parse(readFileSync(path.join(ROOT, "host.json"), "utf8")) as {
      extensions?: { http?: { routePrefix?: string } };
    };
    const prefix = host.extensions?.http?.routePrefix ?? "api";
    const http = registered.filter((fn) => fn.trigger.type.toLowerCase() === "httptrigger");
    const health = http.find((fn) => fn.name === "health");
    const auth = siteConfig({ apiAuth: "entra", apiAuthClientId: API_APP }, "authsettingsV2")?.properties as {
      globalValidation: { excludedPaths: string[] };
    };
    expect(auth.globalValidation.excludedPaths).toEqual([`/${prefix}/${String(health?.trigger.route)}`]);
    const levels = Object.fromEntries(http.map((fn) => [fn.name, fn.trigger.authLevel]));
    // Under entra every route that checks an app role (uploads: Uploads.Write/Read; mirrors and stats:
    // Uploads.Read) is anonymous at the Functions level: Easy Auth is the gate, a token is enough.
    const roleChecked = ["createUpload", "getUpload", "cancelUpload", "listMirrors", "mirrorStats"];
    expect(levels).toMatchObject({
      createUpload: "anonymous",
      getUpload: "anonymous",
      cancelUpload: "anonymous",
      listMirrors: "anonymous",
      mirrorStats: "anonymous",
      health: "function",
    });
    for (const [name, level] of Object.entries(levels))
      if (!roleChecked.includes(name)) expect(level, name).toBe("function");
  });
});

describe("compiled infra: parameters that would deploy a broken app stop the deployment", () => {
  it("the checks are in the compiled template as fail() calls", () => {
    const variables = JSON.stringify(template.variables ?? {});
    expect(variables).toMatch(/fail\(format\('graphClientId is empty/);
    expect(variables).toMatch(/fail\('apiAuthClientId is empty/);
  });

  it.each(["client-secret", "client-certificate"])(
    "%s with an empty or blank graphClientId fails with the reason",
    (mode) => {
      for (const graphClientId of ["", "  "])
        expect(() => siteConfig({ graphAuthMode: mode, graphClientId }, "appsettings")).toThrow(
          new ArmDeploymentFailure(
            `graphClientId is empty: graphAuthMode ${mode} needs the Application (client) id of the Graph app registration (azd env set GRAPH_CLIENT_ID <app id>, or -p graphClientId=<app id>).`,
          ),
        );
    },
  );

  it("managed-identity needs no graphClientId", () => {
    const settings = siteConfig({ graphAuthMode: "managed-identity", graphClientId: "" }, "appsettings");
    expect(settings?.properties.AUTH_MODE).toBe("managed-identity");
  });

  it("entra without apiAuthClientId fails with the reason; functionKey does not need one", () => {
    expect(() => siteConfig({ apiAuth: "entra" }, "authsettingsV2")).toThrow(ArmDeploymentFailure);
    expect(() => siteConfig({ apiAuth: "entra" }, "authsettingsV2")).toThrow(/^apiAuthClientId is empty/);
    expect(siteConfig({ apiAuth: "functionKey" }, "authsettingsV2")).toBeDefined();
  });
});
