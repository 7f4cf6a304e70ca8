/**
 * National clouds: the Graph root and the login authority come in pairs (docs/graph-protocol.md "National clouds",
 * https://learn.microsoft.com/graph/deployments). Mixing them (a global token for a US Government Graph) fails
 * with a 401 that says nothing useful, so one setting picks both.
 */

export const CLOUD_NAMES = ["global", "usgov", "usgovdod", "china"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface CloudSettings {
  readonly name: CloudName;
  /** Origin of the Graph host, no trailing slash, no version: `https://graph.microsoft.com`. */
  readonly graphRoot: string;
  /** Origin of the login authority, no trailing slash: `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /**
   * True when the authority host is not one Microsoft's instance discovery knows (a sovereign or private
   * endpoint, or a local test endpoint): MSAL would otherwise ask login.microsoftonline.com to validate it.
   */
  readonly disableInstanceDiscovery: boolean;
}

const PAIRS: Record<CloudName, { graphRoot: string; authorityHost: string }> = {
  global: { graphRoot: "https://graph.microsoft.com", authorityHost: "https://login.microsoftonline.com" },
  usgov: { graphRoot: "https://graph.microsoft.us", authorityHost: "https://login.microsoftonline.us" },
  usgovdod: {
    graphRoot: "https://dod-graph.microsoft.us",
    authorityHost: "https://login.microsoftonline.us",
  },
  china: {
    graphRoot: "https://microsoftgraph.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
  },
};

/** Login hosts that Microsoft Entra instance discovery validates (the public and national clouds). */
const KNOWN_AUTHORITY_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.microsoft.com",
  "login.windows.net",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
]);

export function isCloudName(value: string): value is CloudName {
  return (CLOUD_NAMES as readonly string[]).includes(value);
}

export function cloudSettings(
  name: CloudName,
  overrides: { graphRoot?: string; authorityHost?: string } = {},
): CloudSettings {
  const pair = PAIRS[name];
  const authorityHost = trimSlash(overrides.authorityHost ?? pair.authorityHost);
  return {
    name,
    graphRoot: trimSlash(overrides.graphRoot ?? pair.graphRoot),
    authorityHost,
    disableInstanceDiscovery: !KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).host.toLowerCase()),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
