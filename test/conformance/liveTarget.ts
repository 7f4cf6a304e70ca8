/**
 * The live target: Microsoft Graph itself, with app-only credentials built by the project's own auth
 * (src/config/auth.ts, src/auth), and the drive named by id or found from a site URL and library name with
 * the project's resolver (src/graph/resolve.ts).
 */
import { createTokenProvider } from "../../src/auth/index.js";
import type { Env } from "../../src/config/auth.js";
import { graphRootFor } from "../../src/config/auth.js";
import { GraphHttp } from "../../src/graph/http.js";
import { resolveDrive } from "../../src/graph/resolve.js";
import { readLiveSettings } from "./liveSettings.js";
import { createRunFolder, deleteRunFolder } from "./runFolder.js";
import type { ConformanceTarget } from "./target.js";

export async function openLiveTarget(env: Env): Promise<ConformanceTarget> {
  const settings = readLiveSettings(env);
  const graphRoot = graphRootFor(settings.auth);
  const graphBaseUrl = `${graphRoot}/v1.0`;
  const tokens = createTokenProvider(settings.auth, { graphRoot });
  const driveId =
    settings.drive.kind === "id"
      ? settings.drive.driveId
      : (
          await resolveDrive(new GraphHttp({ baseUrl: graphBaseUrl, tokens, requestTimeoutMs: 60_000 }), {
            type: "sharepoint",
            site: settings.drive.siteUrl,
            library: settings.drive.library,
            path: "/",
          })
        ).driveId;
  const access = { graphBaseUrl, tokens, driveId };
  const folder = await createRunFolder(access);
  let closed = false;
  return {
    name: `Microsoft Graph (${settings.auth.cloud.name} cloud)`,
    ...access,
    folder,
    async cleanup() {
      if (closed) return;
      closed = true;
      await deleteRunFolder(access, folder);
    },
  };
}
