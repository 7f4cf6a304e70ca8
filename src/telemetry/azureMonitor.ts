/**
 * Registers the OpenTelemetry SDK with the Azure Monitor exporter, in the Functions app only (src/index.ts), and
 * only when APPLICATIONINSIGHTS_CONNECTION_STRING is set: tests, the CLI and a local host without it keep the
 * API's no-ops. Choice and reasons: README "Telemetry".
 *
 * Only our own instruments and spans are exported: every automatic instrumentation of the distribution is off.
 * Its HTTP instrumentation would record the worker's HTTP stream proxy with full request URLs (`?to=...`), and
 * the Functions host already records invocations, requests and `context.log` traces; Graph calls are recorded
 * by our own spans (graphSpan.ts), named after the route, never the URL.
 *
 * Application Insights here accepts Entra-authenticated telemetry only (infra/modules/monitoring.bicep,
 * DisableLocalAuth): the exporter authenticates as the app's user-assigned identity, the client id taken from
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING (`ClientId=<id>;Authorization=AAD`, which the host reads too).
 */
import type { TokenCredential } from "@azure/identity";

type Env = Readonly<Record<string, string | undefined>>;

export async function registerAzureMonitor(env: Env): Promise<boolean> {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return false;
  const credential = await credentialFor(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
  const { useAzureMonitor } = await import("@azure/monitor-opentelemetry");
  const off = { enabled: false };
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) },
    enableLiveMetrics: false,
    instrumentationOptions: {
      http: off,
      azureSdk: off,
      mongoDb: off,
      mySql: off,
      postgreSql: off,
      redis: off,
      redis4: off,
      bunyan: off,
      winston: off,
      console: off,
    },
  });
  return true;
}

/** `ClientId=<id>;Authorization=AAD` -> that user-assigned identity; absent -> instrumentation-key ingestion. */
export async function credentialFor(
  authentication: string | undefined,
): Promise<TokenCredential | undefined> {
  const parts = parseAuthenticationString(authentication);
  if (parts.authorization?.toUpperCase() !== "AAD") return undefined;
  const { ManagedIdentityCredential } = await import("@azure/identity");
  return parts.clientId
    ? new ManagedIdentityCredential({ clientId: parts.clientId })
    : new ManagedIdentityCredential();
}

export function parseAuthenticationString(text: string | undefined): {
  clientId?: string;
  authorization?: string;
} {
  const out: { clientId?: string; authorization?: string } = {};
  for (const pair of (text ?? "").split(";")) {
    const [key, ...rest] = pair.split("=");
    const value = rest.join("=").trim();
    if (key?.trim().toLowerCase() === "clientid" && value) out.clientId = value;
    if (key?.trim().toLowerCase() === "authorization" && value) out.authorization = value;
  }
  return out;
}
