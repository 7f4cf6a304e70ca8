/**
 * Which cloud the credential talks to: `GRAPH_CLOUD` picks the login authority and the Graph root as a pair
 * (src/config/authCloud.ts, docs/graph-protocol.md "National clouds"); `AZURE_AUTHORITY_HOST` and the origin of
 * `GRAPH_BASE_URL` override one half each.
 */
import type { FieldProblem } from "../../core/shared/validationError.js";
import { CLOUD_NAMES, type CloudSettings, cloudSettings, isCloudName } from "../authCloud.js";
import { nonEmpty } from "./fields.js";
import type { Env } from "./types.js";

export function parseCloud(env: Env, problems: FieldProblem[]): CloudSettings | undefined {
  const name = (nonEmpty(env.GRAPH_CLOUD) ?? "global").toLowerCase();
  if (!isCloudName(name)) {
    problems.push({ field: "GRAPH_CLOUD", rule: `must be one of ${CLOUD_NAMES.join(", ")}` });
    return undefined;
  }
  const authorityHost = nonEmpty(env.AZURE_AUTHORITY_HOST);
  if (authorityHost !== undefined && !isHttpsOrigin(authorityHost)) {
    problems.push({
      field: "AZURE_AUTHORITY_HOST",
      rule: "must be an https URL with no path, e.g. https://login.microsoftonline.us",
    });
    return undefined;
  }
  // GRAPH_BASE_URL itself is validated with the Graph settings (src/config/graph.ts); here only its origin
  // matters, as the resource of the app-only scope `{graphRoot}/.default`.
  const graphRoot = originOf(nonEmpty(env.GRAPH_BASE_URL));
  return cloudSettings(name, {
    ...(authorityHost ? { authorityHost } : {}),
    ...(graphRoot ? { graphRoot } : {}),
  });
}

function isHttpsOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === "https:" && (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash
  );
}

function originOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}
