/**
 * token.json: the delegated token graph-mirror manages itself (written by `graph-mirror login`, refreshed in
 * place). Format (docs/auth.md): `access_token`, `refresh_token`, `expires_at` (ISO 8601) or `expiry` (Unix
 * seconds), `scope`, and what a refresh needs: `client_id`, `tenant`, `token_endpoint`.
 *
 * Saving is safe against concurrent processes: take the lock, re-read (another process may have refreshed
 * already), write a temp file created with mode 0600, fsync, rename over the old file, fsync the directory.
 * The result is 0600 whatever the old file's mode was, because rename replaces the inode.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import lockfile from "proper-lockfile";
import { z } from "zod";
import { writeFileAtomic } from "../../store/atomicFile.js";
import { AuthError } from "../errors.js";
import { parseExpiry } from "../expiry.js";

export interface StoredToken {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt?: number;
  readonly scopes: readonly string[];
  readonly clientId?: string;
  readonly tenantId?: string;
  readonly tokenEndpoint?: string;
  /** Fields graph-mirror does not use are kept when the file is rewritten. */
  readonly extra: Readonly<Record<string, unknown>>;
}

const schema = z
  .object({
    access_token: z.string().min(1, "must be a non-empty string"),
    refresh_token: z.string().optional(),
    expires_at: z.union([z.string(), z.number()]).optional(),
    expiry: z.union([z.number(), z.string()]).optional(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    tenant: z.string().optional(),
    token_endpoint: z.string().url("must be a URL").optional(),
  })
  .passthrough();

const KNOWN = new Set([
  "access_token",
  "refresh_token",
  "expires_at",
  "expiry",
  "scope",
  "client_id",
  "tenant",
  "token_endpoint",
]);

export function parseTokenFile(text: string, file: string): StoredToken {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AuthError("configuration", `token file ${file} is not valid JSON: ${fixHint()}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new AuthError("configuration", `token file ${file} is invalid (${problems}): ${fixHint()}`);
  }
  const data = result.data;
  const expiresAt = parseExpiry(data.expires_at) ?? parseExpiry(data.expiry);
  if ((data.expires_at !== undefined || data.expiry !== undefined) && expiresAt === undefined) {
    throw new AuthError(
      "configuration",
      `token file ${file} is invalid (expires_at: must be ISO 8601 with a time zone, or expiry: Unix seconds)`,
    );
  }
  const extra = Object.fromEntries(Object.entries(data).filter(([key]) => !KNOWN.has(key)));
  return {
    accessToken: data.access_token,
    ...(data.refresh_token ? { refreshToken: data.refresh_token } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    scopes: data.scope ? data.scope.split(" ").filter(Boolean) : [],
    ...(data.client_id ? { clientId: data.client_id } : {}),
    ...(data.tenant ? { tenantId: data.tenant } : {}),
    ...(data.token_endpoint ? { tokenEndpoint: data.token_endpoint } : {}),
    extra,
  };
}

export function serializeTokenFile(token: StoredToken): string {
  const body = {
    ...token.extra,
    access_token: token.accessToken,
    ...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
    ...(token.expiresAt !== undefined ? { expires_at: new Date(token.expiresAt).toISOString() } : {}),
    ...(token.scopes.length > 0 ? { scope: token.scopes.join(" ") } : {}),
    ...(token.clientId ? { client_id: token.clientId } : {}),
    ...(token.tenantId ? { tenant: token.tenantId } : {}),
    ...(token.tokenEndpoint ? { token_endpoint: token.tokenEndpoint } : {}),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** The parsed file, or undefined when it does not exist. */
export async function readTokenFile(file: string): Promise<StoredToken | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AuthError(
      "configuration",
      `token file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  return parseTokenFile(text, file);
}

/**
 * Runs `update` while holding the file's lock (a `<file>.lock` directory, proper-lockfile), so two processes
 * never refresh and write at the same time. `update` receives the file as it is now.
 */
export async function withTokenFileLock<T>(
  file: string,
  update: (current: StoredToken | undefined) => Promise<T>,
): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      lockfilePath: `${file}.lock`,
      // A refresh takes well under a second; a holder that died leaves a lock older than `stale`.
      stale: 15_000,
      retries: { retries: 60, factor: 1.3, minTimeout: 25, maxTimeout: 500 },
      // The default throws from a timer (crashing the process) when the lock is taken over as stale. The
      // write is an atomic rename, so the worst case is a second refresh and the last valid file winning.
      onCompromised: () => undefined,
    });
  } catch (err: unknown) {
    throw new AuthError(
      "network",
      `token file ${file} is locked by another graph-mirror process (${(err as Error).message}); this is retried`,
    );
  }
  try {
    return await update(await readTokenFile(file));
  } finally {
    await release().catch(() => undefined);
  }
}

/** Replaces the file atomically with mode 0600. Call inside withTokenFileLock. */
export async function writeTokenFile(file: string, token: StoredToken): Promise<void> {
  await writeFileAtomic(file, serializeTokenFile(token), { syncDirectory: true });
}

function fixHint(): string {
  return "fix it or sign in again with `graph-mirror login`";
}
