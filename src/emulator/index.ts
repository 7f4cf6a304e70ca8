/**
 * A local Microsoft Graph drive emulator (issue 2): the ground every upload test stands on, and what
 * `graph-mirror emulator` serves to a newcomer without a tenant. Strict by default (docs/graph-protocol.md);
 * docs/emulator.md describes every behaviour, limit, fault and inspection endpoint.
 */
import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import { z } from "zod";
import type { Clock } from "../core/ports/common.js";
import { ConfigError, problemsFromZod } from "../core/shared/validationError.js";
import { OffsetClock } from "./clock.js";
import { DiskContentStore } from "./content/diskContent.js";
import { MemoryContentStore } from "./content/memoryContent.js";
import { Directory } from "./directory.js";
import type { FaultHandle, FaultRule } from "./faults.js";
import { createInspector, type EmulatorInspector } from "./inspect.js";
import { EMULATOR_PROFILES, type EmulatorLimits, type EmulatorProfile, PROFILE_LIMITS } from "./limits.js";
import { lockDataDir } from "./persist/dataDirLock.js";
import { DurableStore } from "./persist/durableStore.js";
import { GRAPH_PUBLIC_HOST, publicHosts } from "./publicNames.js";
import { DEFAULT_SEED, type EmulatorSeed, type ParsedSeed, parseSeed } from "./seed.js";
import { closeListener, createListener, listen, requestHandler } from "./server.js";
import { EmulatorState, MAX_LATENCY_MS } from "./state.js";
import { type ConnectProxy, startConnectProxy } from "./tls/connectProxy.js";
import {
  caDirFor,
  type EmulatorTls,
  type HttpsOption,
  prepareTls,
  uploadHostName,
} from "./tls/httpsSetup.js";

export { OffsetClock } from "./clock.js";
export type { DriveItemJson as DriveItem } from "./driveItemJson.js";
export type { Fault, FaultHandle, FaultMatch, FaultRule } from "./faults.js";
export type { EmulatorInspector, ItemSummary } from "./inspect.js";
export {
  DEFAULT_LIMITS,
  EMULATOR_PROFILES,
  type EmulatorLimits,
  type EmulatorProfile,
  FIELD_LIMITS,
  LENIENT_LIMITS,
} from "./limits.js";
export type { LoggedRequest } from "./requestLog.js";
export { ROUTE_NAMES, type RouteName } from "./routes.js";
export {
  ADELE_DELEGATED_TOKEN,
  DEFAULT_DRIVE_IDS,
  DEFAULT_HOSTNAME,
  DEFAULT_SEED,
  DEFAULT_SITE_IDS,
  DEFAULT_SITE_PATHS,
  DEFAULT_TOKEN,
  DEFAULT_USERS,
  type EmulatorSeed,
  OPS_ONLY_TOKEN,
  parseSeed,
  READ_ONLY_TOKEN,
} from "./seed.js";
export type { SessionSummary } from "./sessions.js";
export { MAX_LATENCY_MS } from "./state.js";

export interface EmulatorOptions {
  /**
   * `field` (default): the service as documented and as field reports show it (docs/emulator.md "Profiles");
   * `lenient`: every field behaviour off. `limits` override single behaviours on top of the profile.
   */
  readonly profile?: EmulatorProfile;
  /** Defaults to system time plus an offset that `POST /_emulator/clock/advance` moves. */
  readonly clock?: Clock;
  readonly seed?: EmulatorSeed;
  readonly limits?: Partial<EmulatorLimits>;
  /**
   * Durable mode: items, quota use and open upload sessions are kept in this directory (bytes under `blobs/`)
   * and loaded again by the next start with the same directory. In memory when absent.
   */
  readonly dataDir?: string;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly graphPort?: number;
  readonly uploadPort?: number;
  /** Shorthand for `limits.serviceModifiesOfficeFiles` (default false). */
  readonly serviceModifiesOfficeFiles?: boolean;
  /**
   * Both listeners speak TLS with a certificate from a throwaway local CA, created once in `caDir` (default
   * `<dataDir>/tls`, or `.local/emulator-ca` in memory mode). Off by default (plain HTTP).
   */
  readonly https?: HttpsOption;
  /**
   * Also run a CONNECT proxy that answers as graph.microsoft.com (tls/connectProxy.ts); implies `https`.
   * `port` 0 (default) picks a free port.
   */
  readonly proxy?: boolean | { readonly port?: number };
  /**
   * Every Graph and upload request is answered no sooner than this many milliseconds after its last byte arrived: a round
   * trip of a wide-area link, once per request whatever its size (docs/emulator.md "Latency"). Default 0.
   */
  readonly latencyMs?: number;
}

export interface EmulatorTlsInfo {
  /** The local CA certificate file: NODE_EXTRA_CA_CERTS / SSL_CERT_FILE. */
  readonly caPath: string;
  /** The same certificate (PEM), for clients configured in process (an undici Agent's `connect.ca`). */
  readonly caPem: string;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>/v1.0` */
  readonly graphBaseUrl: string;
  /** `http://127.0.0.1:<port2>`: upload URLs live here. */
  readonly uploadOrigin: string;
  /** The profile the limits started from. */
  readonly profile: EmulatorProfile;
  /** Tokens the Graph host accepts (from the seed). Dev values, not secrets. */
  readonly acceptedTokens: readonly string[];
  /** Every drive of the seed. */
  readonly drives: readonly { readonly id: string; readonly name: string; readonly webUrl: string }[];
  readonly faults: {
    add(rule: FaultRule): FaultHandle;
    clear(): void;
  };
  readonly inspect: EmulatorInspector;
  /** Present in HTTPS mode. */
  readonly tls?: EmulatorTlsInfo;
  /** `http://127.0.0.1:<port>`, the value for HTTPS_PROXY, when the proxy runs. */
  readonly proxyUrl?: string;
  close(): Promise<void>;
}

const positiveInt = z.number().int().positive();
const limitsSchema = z.strictObject({
  simpleUploadMaxBytes: z.number().int().nonnegative(),
  fragmentMultipleBytes: positiveInt,
  maxFragmentBytes: positiveInt,
  sessionSlidingTtlMs: positiveInt,
  uploadUrlLifetimeMs: positiveInt,
  expiredUploadUrlStatus: z.union([z.literal(401), z.literal(403)]),
  drivesPageSize: positiveInt,
  childrenPageSize: positiveInt,
  permissionsPageSize: positiveInt,
  maxPathLength: positiveInt,
  rejectAuthorizationOnUploadUrl: z.boolean(),
  allowOutOfOrderFragments: z.boolean(),
  nextExpectedRangesStyle: z.enum(["open", "closed"]),
  sessionDefaultConflictBehavior: z.enum(["fail", "replace", "rename"]),
  oneSessionPerFile: z.boolean(),
  serviceModifiesOfficeFiles: z.boolean(),
  serviceUpdatesMetadata: z.boolean(),
  zeroByteFilesHaveHash: z.boolean(),
  hashDelayMs: z.number().int().nonnegative(),
  sessionCreatesMissingParents: z.boolean(),
  sessionSurvivesCommitFailure: z.boolean(),
  maxJsonBodyBytes: positiveInt,
});

function resolveProfile(profile: unknown): EmulatorProfile {
  const found = EMULATOR_PROFILES.find((p) => p === profile);
  if (found) return found;
  throw new ConfigError([{ field: "profile", rule: "must be field or lenient" }], "emulator options");
}

function resolveLimits(
  profile: EmulatorProfile,
  overrides: Partial<EmulatorLimits> | undefined,
): EmulatorLimits {
  const result = limitsSchema.safeParse({ ...PROFILE_LIMITS[profile], ...overrides });
  if (!result.success) throw new ConfigError(problemsFromZod(result.error, "limits"), "emulator limits");
  return result.data;
}

/** Storage, state and the data directory's lock: everything `close()` releases after the listeners. */
interface Backing {
  readonly state: EmulatorState;
  release(): Promise<void>;
}

/** In memory, or durable in `dataDir` (locked so a second emulator cannot share it; docs/emulator.md). */
async function openBacking(
  options: EmulatorOptions,
  seed: ParsedSeed,
  limits: EmulatorLimits,
  profile: EmulatorProfile,
): Promise<Backing> {
  const clock = options.clock ?? new OffsetClock();
  if (!options.dataDir) {
    const content = new MemoryContentStore();
    const state = new EmulatorState(new Directory(seed), clock, limits, content, undefined, profile);
    return { state, release: () => content.close() };
  }
  await mkdir(options.dataDir, { recursive: true });
  const unlock = await lockDataDir(options.dataDir);
  let durable: DurableStore | undefined;
  try {
    const disk = await DiskContentStore.inDirectory(options.dataDir);
    durable = await DurableStore.open(options.dataDir, disk);
    const state = new EmulatorState(new Directory(seed), clock, limits, disk, durable, profile);
    await durable.attach(state);
    const opened = durable;
    return {
      state,
      async release() {
        await opened.close();
        await disk.close();
        await unlock();
      },
    };
  } catch (err: unknown) {
    await durable?.close();
    await unlock();
    throw err;
  }
}

/** The two listeners (and the proxy, when asked), bound; closes what it opened when a step fails. */
interface Network {
  readonly graphServer: Server;
  readonly uploadServer: Server;
  readonly tls?: EmulatorTls;
  readonly proxy?: ConnectProxy;
}

async function openNetwork(
  options: EmulatorOptions,
  state: EmulatorState,
  inspect: EmulatorInspector,
): Promise<Network> {
  const host = options.host ?? "127.0.0.1";
  // The proxy needs TLS: it implies HTTPS even when `https` is false.
  const httpsOption: HttpsOption = options.https || Boolean(options.proxy);
  let tls: EmulatorTls | undefined;
  let proxy: ConnectProxy | undefined;
  let graphServer = createListener(requestHandler(state, inspect, "graph"));
  let uploadServer = createListener(requestHandler(state, inspect, "upload"));
  try {
    if (httpsOption !== false) {
      tls = await prepareTls(caDirFor(httpsOption, options.dataDir), host, state.directory.drives.values());
      graphServer = createListener(requestHandler(state, inspect, "graph"), tls.leaf);
      uploadServer = createListener(requestHandler(state, inspect, "upload"), tls.leaf);
    }
    const scheme = tls ? "https" : "http";
    const graphPort = await listen(graphServer, host, options.graphPort ?? 0);
    const uploadPort = await listen(uploadServer, host, options.uploadPort ?? 0);
    const urlHost = host.includes(":") ? `[${host}]` : host;
    state.graphBaseUrl = `${scheme}://${urlHost}:${graphPort}/v1.0`;
    state.uploadOrigin = `${scheme}://${uploadHostName(host, tls !== undefined)}:${uploadPort}`;
    if (options.proxy) {
      const routes = new Map<string, number>();
      for (const name of publicHosts(state.directory.drives.values())) routes.set(name, uploadPort);
      routes.set(GRAPH_PUBLIC_HOST, graphPort);
      const proxyPort = typeof options.proxy === "object" ? (options.proxy.port ?? 0) : 0;
      proxy = await startConnectProxy({ host, port: proxyPort, routes, targetHost: host });
      state.publicNames = true;
    }
  } catch (err: unknown) {
    await proxy?.close();
    await Promise.all([closeListener(graphServer), closeListener(uploadServer)]);
    throw err;
  }
  return { graphServer, uploadServer, ...(tls ? { tls } : {}), ...(proxy ? { proxy } : {}) };
}

function resolveLatency(latencyMs: unknown): number {
  if (latencyMs === undefined) return 0;
  if (
    typeof latencyMs === "number" &&
    Number.isInteger(latencyMs) &&
    latencyMs >= 0 &&
    latencyMs <= MAX_LATENCY_MS
  )
    return latencyMs;
  throw new ConfigError(
    [{ field: "latencyMs", rule: `must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}` }],
    "emulator options",
  );
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = parseSeed(options.seed ?? DEFAULT_SEED);
  const profile = resolveProfile(options.profile ?? "field");
  const limits = resolveLimits(profile, {
    ...(options.serviceModifiesOfficeFiles !== undefined
      ? { serviceModifiesOfficeFiles: options.serviceModifiesOfficeFiles }
      : {}),
    ...options.limits,
  });
  const latencyMs = resolveLatency(options.latencyMs);
  const backing = await openBacking(options, seed, limits, profile);
  const { state } = backing;
  state.latencyMs = latencyMs;
  const inspect = createInspector(state);
  let network: Network;
  try {
    network = await openNetwork(options, state, inspect);
  } catch (err: unknown) {
    await backing.release();
    throw err;
  }
  const { graphServer, uploadServer, tls, proxy } = network;
  let closing: Promise<void> | undefined;
  return {
    graphBaseUrl: state.graphBaseUrl,
    uploadOrigin: state.uploadOrigin,
    profile,
    acceptedTokens: state.directory.acceptedTokens(),
    drives: [...state.directory.drives.values()].map((d) => ({ id: d.id, name: d.name, webUrl: d.webUrl })),
    faults: {
      add: (rule) => state.faults.add(rule),
      clear: () => state.faults.clear(),
    },
    inspect,
    ...(tls ? { tls: { caPath: tls.ca.certPath, caPem: tls.ca.certPem } } : {}),
    ...(proxy ? { proxyUrl: proxy.url } : {}),
    close() {
      closing ??= (async () => {
        state.waits.cancelAll();
        await proxy?.close();
        await Promise.all([closeListener(graphServer), closeListener(uploadServer)]);
        await backing.release();
      })();
      return closing;
    },
  };
}
