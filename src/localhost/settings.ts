/**
 * Settings of local runs only (`graph-mirror start` and the built-in local host), parsed once here: the ports
 * (so tests and a second checkout can run beside the defaults) and how long a received queue message stays
 * invisible while its function runs. Listed in src/config/settings.ts with scope "local".
 */
import type { Env } from "../config/auth.js";
import { ConfigError, type FieldProblem, wholeNumberSetting } from "../core/shared/validationError.js";
import { devPrincipalHeader } from "./platformPrincipal.js";

export interface LocalPorts {
  /** Functions HTTP port (PORT, default 7071; 0 picks a free port). */
  readonly functions: number;
  readonly azuriteBlob: number;
  readonly azuriteQueue: number;
  readonly azuriteTable: number;
  /** The Graph emulator's Graph host, fixed so its control API is easy to reach (`/_emulator/items`). */
  readonly emulatorGraph: number;
  /** The emulator's upload host: fixed, because stored upload sessions name it and survive restarts. */
  readonly emulatorUpload: number;
}

export const LOCAL_PORT_DEFAULTS: LocalPorts = {
  functions: 7071,
  azuriteBlob: 10000,
  azuriteQueue: 10001,
  azuriteTable: 10002,
  emulatorGraph: 10010,
  emulatorUpload: 10011,
};

export const LOCAL_PORT_SETTINGS: Readonly<Record<keyof LocalPorts, string>> = {
  functions: "PORT",
  azuriteBlob: "AZURITE_BLOB_PORT",
  azuriteQueue: "AZURITE_QUEUE_PORT",
  azuriteTable: "AZURITE_TABLE_PORT",
  emulatorGraph: "EMULATOR_GRAPH_PORT",
  emulatorUpload: "EMULATOR_UPLOAD_PORT",
};

export interface LocalHostSettings {
  readonly ports: LocalPorts;
  /** EMULATOR_HTTPS (true/false, default false): the Graph emulator `npm start` runs speaks TLS. */
  readonly emulatorHttps: boolean;
  /** LOCALHOST_MESSAGE_LEASE_SECONDS (default 60, 5-600), in ms. */
  readonly messageLeaseMs: number;
  /**
   * LOCAL_DEV_PRINCIPAL as the x-ms-client-principal value the host sets on every HTTP request, playing the
   * platform's built-in authentication; undefined = client-supplied principals are removed (platformPrincipal.ts).
   */
  readonly devPrincipalHeader?: string;
}

export function parseLocalHostSettings(env: Env): LocalHostSettings {
  const problems: FieldProblem[] = [];
  const port = (key: keyof LocalPorts) =>
    wholeNumberSetting(
      env[LOCAL_PORT_SETTINGS[key]],
      LOCAL_PORT_SETTINGS[key],
      LOCAL_PORT_DEFAULTS[key],
      0,
      65535,
      problems,
    );
  const ports: LocalPorts = {
    functions: port("functions"),
    azuriteBlob: port("azuriteBlob"),
    azuriteQueue: port("azuriteQueue"),
    azuriteTable: port("azuriteTable"),
    emulatorGraph: port("emulatorGraph"),
    emulatorUpload: port("emulatorUpload"),
  };
  const lease = wholeNumberSetting(
    env.LOCALHOST_MESSAGE_LEASE_SECONDS,
    "LOCALHOST_MESSAGE_LEASE_SECONDS",
    60,
    5,
    600,
    problems,
  );
  const https = (env.EMULATOR_HTTPS ?? "").trim().toLowerCase();
  if (!["", "true", "false"].includes(https))
    problems.push({ field: "EMULATOR_HTTPS", rule: "must be true or false" });
  const principal = devPrincipalHeader(env.LOCAL_DEV_PRINCIPAL, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ports,
    emulatorHttps: https === "true",
    messageLeaseMs: lease * 1000,
    ...(principal ? { devPrincipalHeader: principal } : {}),
  };
}
