/**
 * Reads an rclone OneDrive remote (the delegated fallback source): finds the config as rclone does, opens it
 * (decrypting with RCLONE_CONFIG_PASS when needed), picks the remote and extracts its token and the OAuth
 * client that can refresh it. Read-only: rclone.conf is never written (docs/auth.md).
 */
import { access, readFile } from "node:fs/promises";
import type { RcloneSettings } from "../../config/auth.js";
import { AuthError } from "../errors.js";
import { parseExpiry } from "../expiry.js";
import type { OAuthClient } from "../tokenEndpoint.js";
import { parseRcloneIni } from "./rcloneIni.js";

export interface RcloneRemoteToken {
  readonly file: string;
  readonly remote: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt?: number;
  /** The OAuth client that can refresh this token, or why there is none. */
  readonly client: OAuthClient | { readonly unavailable: string };
}

/** rclone's OneDrive login hosts by `region` (backend/onedrive: global, us, de, cn). */
const REGION_AUTHORITY: Record<string, string> = {
  global: "https://login.microsoftonline.com",
  us: "https://login.microsoftonline.us",
  de: "https://login.microsoftonline.de",
  cn: "https://login.chinacloudapi.cn",
};

export async function findRcloneConfig(settings: RcloneSettings): Promise<string | undefined> {
  for (const candidate of settings.configCandidates) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // Not there: rclone moves on to the next place too.
    }
  }
  return undefined;
}

export async function readRcloneRemote(file: string, settings: RcloneSettings): Promise<RcloneRemoteToken> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new AuthError("configuration", `rclone config ${file} cannot be read (${code})`);
  }
  // Loaded here, not at start-up: its cipher library is needed only for this file (issue 17).
  const { decryptRcloneConfig, isEncryptedRcloneConfig } = await import("./rcloneCrypt.js");
  if (isEncryptedRcloneConfig(text)) text = decryptRcloneConfig(text, settings.password, file);
  const sections = parseRcloneIni(text);
  const onedrive = [...sections].filter(([, keys]) => keys.get("type") === "onedrive");
  let chosen: [string, ReadonlyMap<string, string>] | undefined;
  if (settings.remote) {
    const keys = sections.get(settings.remote);
    if (!keys) {
      throw new AuthError(
        "configuration",
        `rclone config ${file} has no remote named "${settings.remote}" (RCLONE_REMOTE)`,
      );
    }
    if (keys.get("type") !== "onedrive") {
      throw new AuthError(
        "configuration",
        `rclone remote "${settings.remote}" in ${file} is of type ${keys.get("type") ?? "(none)"}, not onedrive (RCLONE_REMOTE)`,
      );
    }
    chosen = [settings.remote, keys];
  } else {
    chosen = onedrive[0];
  }
  if (!chosen)
    throw new AuthError("configuration", `rclone config ${file} has no remote with type = onedrive`);
  const [remote, keys] = chosen;
  const rawToken = keys.get("token");
  if (!rawToken) {
    throw new AuthError(
      "configuration",
      `rclone remote "${remote}" has no token: run \`rclone config reconnect ${remote}:\``,
    );
  }
  let token: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(rawToken);
    if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
    token = parsed as Record<string, unknown>;
  } catch {
    throw new AuthError("configuration", `rclone remote "${remote}" has a token that is not valid JSON`);
  }
  const accessToken = typeof token.access_token === "string" ? token.access_token : "";
  if (!accessToken)
    throw new AuthError("configuration", `rclone remote "${remote}" has a token without access_token`);
  const refreshToken =
    typeof token.refresh_token === "string" && token.refresh_token ? token.refresh_token : undefined;
  const expiresAt = parseExpiry(token.expiry);
  return {
    file,
    remote,
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    client: remoteClient(remote, keys),
  };
}

/**
 * The client rclone itself would refresh with (lib/oauthutil overrideCredentials): `client_id` and
 * `client_secret` from the remote, `token_url` overriding the endpoint derived from `region` and `tenant`.
 * A remote without `client_id` uses rclone's built-in confidential app, whose secret graph-mirror does not
 * ship: such a token is used while valid and refreshed by rclone itself (docs/auth.md).
 */
function remoteClient(
  remote: string,
  keys: ReadonlyMap<string, string>,
): OAuthClient | { unavailable: string } {
  const clientId = keys.get("client_id");
  if (!clientId) {
    return {
      unavailable:
        `rclone remote "${remote}" uses rclone's built-in app, which only rclone can refresh: run ` +
        `\`rclone about ${remote}:\` to refresh it, set client_id/client_secret on the remote, or use \`graph-mirror login\``,
    };
  }
  const region = keys.get("region") ?? "global";
  const authority = REGION_AUTHORITY[region] ?? REGION_AUTHORITY.global;
  const tenant = keys.get("tenant") || "common";
  const tokenEndpoint = keys.get("token_url") || `${authority}/${tenant}/oauth2/v2.0/token`;
  const clientSecret = keys.get("client_secret");
  return {
    tokenEndpoint,
    clientId,
    ...(clientSecret
      ? { clientSecret, clientSecretSource: `client_secret of rclone remote "${remote}"` }
      : {}),
  };
}
