#!/usr/bin/env node
// azd postprovision hook (azure.yaml): PRINTS the Sites.Selected grant for every site the deployed mirrors write
// to (infra/mirrors.json, the definitions main.bicep compiles into MIRRORS). It never runs them: granting a site is
// an administrator's decision, made with an admin's sign-in (docs/runbook.md "Grant Graph permissions").
// Self-contained (no build needed): azd may run it from a fresh checkout.
//
//   node scripts/site-grants.mjs [mirrors.json]
//
// Reads from the azd environment: GRAPH_AUTH_MODE and GRAPH_CLIENT_ID (the app registration), or for
// managed-identity the MANAGED_IDENTITY_CLIENT_ID output; GRAPH_CLOUD picks the Graph host.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const GRAPH_HOSTS = {
  global: "https://graph.microsoft.com",
  usgov: "https://graph.microsoft.us",
  usgovdod: "https://dod-graph.microsoft.us",
  china: "https://microsoftgraph.chinacloudapi.cn",
};

/** Every distinct site the mirrors' destinations live on, with how to look up its id. */
export function sitesOf(mirrors) {
  const list = Array.isArray(mirrors) ? mirrors : mirrors?.mirrors;
  if (!Array.isArray(list)) throw new Error('mirrors: must be a list, or {"mirrors": [...]}');
  const sites = new Map();
  list.forEach((mirror, i) => {
    if (mirror?.enabled === false) return;
    if (!Array.isArray(mirror?.destinations)) throw new Error(`mirrors[${i}].destinations: must be a list`);
    for (const d of mirror.destinations) {
      const site = siteOf(d);
      if (site && !sites.has(site.key)) sites.set(site.key, { ...site, mirrors: [] });
      if (site) sites.get(site.key).mirrors.push(String(mirror.name));
    }
  });
  return [...sites.values()];
}

function siteOf(d) {
  if (d?.type === "sharepoint" && typeof d.site === "string") {
    const url = new URL(d.site);
    const sitePath = url.pathname.replace(/\/+$/, "");
    return {
      key: `${url.host}${sitePath}`.toLowerCase(),
      label: `${url.origin}${sitePath}`,
      lookup: `/sites/${url.host}:${sitePath}?$select=id`,
    };
  }
  if (d?.type === "onedrive" && typeof d.user === "string")
    return {
      key: `onedrive:${d.user.toLowerCase()}`,
      label: `OneDrive of ${d.user}`,
      lookup: `/users/${encodeURIComponent(d.user)}/drive?$select=sharePointIds`,
    };
  if (d?.type === "drive" && typeof d.driveId === "string")
    return {
      key: `drive:${d.driveId}`,
      label: `drive ${d.driveId}`,
      lookup: `/drives/${encodeURIComponent(d.driveId)}?$select=sharePointIds`,
    };
  return undefined;
}

/** The lines to print: for each site, its id lookup and the grant, as `az rest` commands. */
export function grantCommands(sites, env) {
  const graph = `${GRAPH_HOSTS[env.GRAPH_CLOUD || "global"] ?? GRAPH_HOSTS.global}/v1.0`;
  const mode = env.GRAPH_AUTH_MODE || "client-secret";
  const appId =
    (mode === "managed-identity" ? env.MANAGED_IDENTITY_CLIENT_ID : env.GRAPH_CLIENT_ID) || "<app id>";
  const lines = [
    "Sites.Selected: grant the app write access to each site the mirrors use (nothing was run; an administrator",
    'with Sites.FullControl.All runs these, see docs/runbook.md "Grant Graph permissions"):',
  ];
  if (sites.length === 0)
    return [
      ...lines,
      "  (no mirrors in infra/mirrors.json: grant the sites your HTTP API requests write to the same way)",
    ];
  for (const site of sites) {
    const idQuery = site.lookup.startsWith("/sites/") ? "id" : "sharePointIds.siteId";
    lines.push(
      "",
      `# ${site.label} (mirrors: ${site.mirrors.join(", ")})`,
      `SITE=$(az rest --method GET --uri '${graph}${site.lookup}' --query ${idQuery} -o tsv)`,
      `az rest --method POST --uri "${graph}/sites/$SITE/permissions" --body '{"roles": ["write"], "grantedToIdentities": [{"application": {"id": "${appId}", "displayName": "graph-mirror"}}]}'`,
    );
  }
  return lines;
}

function main() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = process.argv[2] ?? path.join(here, "..", "infra", "mirrors.json");
  const sites = sitesOf(JSON.parse(readFileSync(file, "utf8")));
  process.stdout.write(`${grantCommands(sites, process.env).join("\n")}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
