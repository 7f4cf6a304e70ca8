/**
 * The one typed configuration, built once from the environment and passed in (libraries never read
 * process.env). Every area is parsed here, once, and problems from every area are reported together in one
 * ConfigError, each naming the setting and the rule: the Functions app calls this when it loads (src/functions/appServices.ts),
 * so a bad setting stops the app at start instead of failing the first request that reads it
 * (docs/design.md "Composition root").
 */

import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import { type MirrorSettings, parseMirrorSettings } from "../mirror/settings.js";
import { type AuthConfig, type Env, parseAuthConfig } from "./auth.js";
import { type GraphConfig, parseGraphConfig } from "./graph.js";
import { type HttpApiConfig, parseHttpApiConfig } from "./httpApi.js";
import { type PipelineConfig, parsePipelineConfig } from "./pipeline.js";
import { parseSftpConfig, type SftpConfig } from "./sftp.js";
import { parseStorageConfig, parseStorageNames, type StorageConfig } from "./storage.js";

export type StorageNames = Omit<StorageConfig, "connection">;

export interface AppConfig {
  readonly graph: GraphConfig;
  readonly auth: AuthConfig;
  /** Table and queue names: always known (the Functions registrations need the queue name). */
  readonly storageNames: StorageNames;
  /**
   * The storage account, when any `AzureWebJobsStorage*` setting is present. The Functions host refuses to
   * start without one; the CLI runs without one (blob sources then fail clearly, src/app/services.ts).
   */
  readonly storage?: StorageConfig;
  readonly pipeline: PipelineConfig;
  readonly httpApi: HttpApiConfig;
  readonly sftp: SftpConfig;
  readonly mirror: MirrorSettings;
}

export function loadConfig(env: Env): AppConfig {
  const problems: FieldProblem[] = [];
  const parse = <T>(parser: (env: Env) => T) => collect(() => parser(env), problems);
  const graph = parse(parseGraphConfig);
  const auth = parse(parseAuthConfig);
  const storageNames = parse(parseStorageNames);
  const storage = hasStorageConnection(env) ? parse(parseStorageConfig) : undefined;
  const pipeline = parse(parsePipelineConfig);
  const httpApi = parse(parseHttpApiConfig);
  const sftp = parse(parseSftpConfig);
  const mirror = parse(parseMirrorSettings);
  if (problems.length > 0 || !graph || !auth || !storageNames || !pipeline || !httpApi || !sftp || !mirror)
    throw new ConfigError(problems);
  return deepFreeze({
    graph,
    auth,
    storageNames,
    ...(storage ? { storage } : {}),
    pipeline,
    httpApi,
    sftp,
    mirror,
  });
}

/** The Functions host's own rule: `AzureWebJobsStorage` or any of its `__*` identity settings. */
function hasStorageConnection(env: Env): boolean {
  return Object.entries(env).some(
    ([name, value]) =>
      (name === "AzureWebJobsStorage" || name.startsWith("AzureWebJobsStorage__")) && !!value?.trim(),
  );
}

/**
 * Runs one area's parser; its problems join the list. A setting two areas read (ALLOWED_FILE_ROOTS: the HTTP
 * API and the mirror, each with its own wording) is reported by the first area only.
 */
function collect<T>(parse: () => T, problems: FieldProblem[]): T | undefined {
  try {
    return parse();
  } catch (err: unknown) {
    if (!(err instanceof ConfigError)) throw err;
    const known = new Set(problems.map((p) => p.field));
    problems.push(...err.problems.filter((p) => !known.has(p.field)));
    return undefined;
  }
}

/**
 * Frozen all the way down: the configuration is read by many consumers and changed by none. Byte buffers (a
 * known host's key) are left as they are: a typed array with elements cannot be frozen.
 */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
