/**
 * The second delegated source: an rclone OneDrive remote (docs/auth.md "Delegated"). rclone.conf is READ-ONLY
 * here: an expired token is refreshed in memory (DelegatedState.rclone), valid while the file still holds the
 * token it replaced. A remote on rclone's own app (no client_id) can only be refreshed by rclone: when rclone is
 * installed it is asked to (`rclone about <remote>:` saves rclone's own file) and the file is read again.
 */
import { AuthError } from "../errors.js";
import { findRcloneConfig, type RcloneRemoteToken, readRcloneRemote } from "./rcloneRemote.js";
import { findRclone, runRcloneAbout } from "./rcloneRun.js";
import {
  type ActiveToken,
  type DelegatedConfig,
  type DelegatedSource,
  type DelegatedTokenCore,
  expiryField,
  sha256,
} from "./tokenCore.js";

export class RcloneSource implements DelegatedSource {
  readonly name = "rclone";

  constructor(
    private readonly config: DelegatedConfig,
    private readonly core: DelegatedTokenCore,
  ) {}

  async get(rejected: string | undefined, signal: AbortSignal | undefined): Promise<ActiveToken> {
    const settings = this.config.rclone;
    const file = await findRcloneConfig(settings);
    if (!file) {
      throw new AuthError(
        "sign-in-required",
        `no rclone config found (looked in ${settings.configCandidates.join(", ") || "nowhere: HOME is not set"})`,
      );
    }
    const remote = await readRcloneRemote(file, settings);
    const label = `rclone remote "${remote.remote}" (${file})`;
    this.core.logger({
      event: "auth.source-tried",
      source: "rclone",
      remote: remote.remote,
      file,
      ...expiryField(remote.expiresAt),
    });
    const key = `${file}\u0000${remote.remote}`;
    const basedOn = sha256(remote.accessToken);
    const state = this.core.state;
    const memory = state.rclone?.key === key && state.rclone.basedOn === basedOn ? state.rclone : undefined;
    const candidate = memory ?? remote;
    if (this.core.usable(candidate.accessToken, candidate.expiresAt, rejected)) {
      return active(label, candidate.accessToken, candidate.expiresAt, memory?.scopes);
    }
    if ("unavailable" in remote.client)
      return this.refreshedByRclone(file, remote, remote.client.unavailable, label, rejected, signal);
    const refreshToken = this.core.refreshableOrThrow(candidate.refreshToken, label, "rclone");
    this.core.logger({
      event: "auth.refresh",
      source: "rclone",
      remote: remote.remote,
      reason: rejected !== undefined ? "Graph rejected the token" : "expired or about to expire",
    });
    // rclone's oauth2 refresh sends no scope: the grant keeps the scopes of the original consent.
    const set = await this.core.refresh(
      remote.client,
      refreshToken,
      [],
      this.core.grantContext(label, signal),
    );
    state.rclone = {
      key,
      basedOn,
      accessToken: set.accessToken,
      ...((set.refreshToken ?? refreshToken) ? { refreshToken: set.refreshToken ?? refreshToken } : {}),
      expiresAt: set.expiresAt,
      ...(set.scopes ? { scopes: set.scopes } : {}),
    };
    this.core.logger({ event: "auth.refreshed-in-memory", source: "rclone", ...expiryField(set.expiresAt) });
    return active(label, set.accessToken, set.expiresAt, set.scopes);
  }

  /**
   * The remote uses rclone's own app: run `rclone about <remote>:` (rclone refreshes and saves its own config),
   * then read the file again. Without rclone, the guidance on how to refresh it stays the error.
   */
  private async refreshedByRclone(
    file: string,
    remote: RcloneRemoteToken,
    guidance: string,
    label: string,
    rejected: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ActiveToken> {
    const settings = this.config.rclone;
    const binary = await findRclone(settings);
    if (!binary)
      throw new AuthError(
        "sign-in-required",
        `${label} has expired; ${guidance} (rclone was not found on PATH and RCLONE_BINARY is not set)`,
      );
    this.core.logger({ event: "auth.rclone-run", source: "rclone", remote: remote.remote, binary });
    try {
      await runRcloneAbout(binary, remote.remote, file, signal);
    } catch (err: unknown) {
      const why = err instanceof Error ? err.message : String(err);
      throw new AuthError("sign-in-required", `${label} has expired and ${why}; ${guidance}`);
    }
    const again = await readRcloneRemote(file, settings);
    if (!this.core.usable(again.accessToken, again.expiresAt, rejected))
      throw new AuthError(
        "sign-in-required",
        `${label} has expired and still holds an expired token after \`rclone about ${remote.remote}:\`; ${guidance}`,
      );
    this.core.logger({
      event: "auth.refreshed-by-rclone",
      source: "rclone",
      ...expiryField(again.expiresAt),
    });
    return {
      token: again.accessToken,
      ...(again.expiresAt !== undefined ? { expiresAt: again.expiresAt } : {}),
      source: label,
      notes: [
        `the token had expired; rclone refreshed it (ran \`${binary} about ${remote.remote}:\`, which saved ` +
          "rclone's own config) and it was read again",
      ],
    };
  }
}

function active(
  label: string,
  token: string,
  expiresAt: number | undefined,
  granted?: readonly string[],
): ActiveToken {
  return {
    token,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(granted ? { scopes: granted } : {}),
    source: label,
    notes: [],
  };
}
