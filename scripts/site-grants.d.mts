// Types of scripts/site-grants.mjs for the tests (test/unit/infra/siteGrants.test.ts).
export interface GrantSite {
  readonly key: string;
  readonly label: string;
  /** Graph path whose answer holds the site id. */
  readonly lookup: string;
  readonly mirrors: string[];
}
export function sitesOf(mirrors: unknown): GrantSite[];
export function grantCommands(
  sites: readonly GrantSite[],
  env: Readonly<Record<string, string | undefined>>,
): string[];
