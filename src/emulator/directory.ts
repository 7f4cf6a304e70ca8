/**
 * The seed resolved into lookups: drives, sites, users and tokens, with Graph-shaped ids (ids.ts). Read-only
 * after start; items live in the drive trees (itemTree.ts).
 */
import { driveIdFor, personalHostFor, personalSitePathFor, siteIdFor } from "./ids.js";
import type { ParsedSeed } from "./seed.js";

export interface TenantRecord {
  readonly hostname: string;
}

export interface SiteRecord {
  readonly id: string;
  readonly tenant: TenantRecord;
  readonly path: string;
  readonly displayName: string;
  readonly webUrl: string;
  readonly drives: DriveRecord[];
}

export interface UserRecord {
  readonly id: string;
  readonly tenant: TenantRecord;
  readonly userPrincipalName: string;
  readonly displayName: string;
  drive?: DriveRecord;
}

export interface DriveRecord {
  readonly id: string;
  readonly tenant: TenantRecord;
  readonly name: string;
  readonly driveType: "documentLibrary" | "business";
  readonly webUrl: string;
  /** Decoded server-relative path of the library root, e.g. `/sites/Ops/Shared Documents` (path length rule). */
  readonly serverRelativeRoot: string;
  readonly quotaBytes: number;
  readonly site?: SiteRecord;
  readonly owner?: UserRecord;
}

export interface TokenRecord {
  readonly tenant: TenantRecord;
  readonly readOnly: boolean;
  /** Site ids this token may touch (Sites.Selected); undefined = every site and OneDrive of its tenant. */
  readonly siteIds?: ReadonlySet<string>;
  /** Set for delegated tokens: who `/me` is. */
  readonly user?: UserRecord;
}

function joinUrl(origin: string, serverRelativePath: string): string {
  const encoded = serverRelativePath
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
  return `${origin}${encoded === "/" ? "" : encoded}`;
}

export class Directory {
  readonly drives = new Map<string, DriveRecord>();
  readonly sites = new Map<string, SiteRecord>();
  readonly users: UserRecord[] = [];
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(seed: ParsedSeed) {
    for (const tenantSeed of seed.tenants) {
      const tenant: TenantRecord = { hostname: tenantSeed.hostname.toLowerCase() };
      const origin = `https://${tenant.hostname}`;
      const sitesByPath = new Map<string, SiteRecord>();
      for (const siteSeed of tenantSeed.sites) {
        const site: SiteRecord = {
          id: siteIdFor(tenant.hostname, siteSeed.path),
          tenant,
          path: siteSeed.path,
          displayName: siteSeed.displayName,
          webUrl: joinUrl(origin, siteSeed.path),
          drives: [],
        };
        for (const library of siteSeed.libraries) {
          const segment = library.webUrlSegment ?? library.name;
          const root = `${siteSeed.path === "/" ? "" : siteSeed.path}/${segment}`;
          const drive: DriveRecord = {
            id: driveIdFor(tenant.hostname, siteSeed.path, library.name),
            tenant,
            name: library.name,
            driveType: "documentLibrary",
            webUrl: joinUrl(origin, root),
            serverRelativeRoot: root,
            quotaBytes: library.quotaBytes ?? tenantSeed.defaultQuotaBytes,
            site,
          };
          site.drives.push(drive);
          this.drives.set(drive.id, drive);
        }
        this.sites.set(site.id, site);
        sitesByPath.set(site.path.toLowerCase(), site);
      }
      const usersByKey = new Map<string, UserRecord>();
      for (const userSeed of tenantSeed.users) {
        const user: UserRecord = {
          id: userSeed.id,
          tenant,
          userPrincipalName: userSeed.userPrincipalName,
          displayName: userSeed.displayName ?? userSeed.userPrincipalName,
        };
        const host = personalHostFor(tenant.hostname);
        const sitePath = personalSitePathFor(user.userPrincipalName);
        const root = `${sitePath}/Documents`;
        const drive: DriveRecord = {
          id: driveIdFor(host, sitePath, "Documents"),
          tenant,
          name: "OneDrive",
          driveType: "business",
          webUrl: joinUrl(`https://${host}`, root),
          serverRelativeRoot: root,
          quotaBytes: userSeed.quotaBytes ?? tenantSeed.defaultQuotaBytes,
          owner: user,
        };
        user.drive = drive;
        this.drives.set(drive.id, drive);
        this.users.push(user);
        usersByKey.set(user.id.toLowerCase(), user);
        usersByKey.set(user.userPrincipalName.toLowerCase(), user);
      }
      for (const token of tenantSeed.tokens) {
        if (typeof token === "string") {
          this.tokens.set(token, { tenant, readOnly: false });
          continue;
        }
        const siteIds = token.sites
          ?.map((p) => sitesByPath.get(p.toLowerCase())?.id)
          .filter((id) => id !== undefined);
        const user = token.user === undefined ? undefined : usersByKey.get(token.user.toLowerCase());
        this.tokens.set(token.token, {
          tenant,
          readOnly: token.access === "read-only",
          ...(siteIds ? { siteIds: new Set(siteIds) } : {}),
          ...(user ? { user } : {}),
        });
      }
    }
  }

  token(value: string): TokenRecord | undefined {
    return this.tokens.get(value);
  }

  acceptedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  findUser(tenant: TenantRecord, idOrUpn: string): UserRecord | undefined {
    const key = idOrUpn.toLowerCase();
    return this.users.find(
      (u) => u.tenant === tenant && (u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key),
    );
  }

  findSiteByPath(hostname: string, path: string): SiteRecord | undefined {
    const host = hostname.toLowerCase();
    const wanted = (path.replace(/\/+$/, "") || "/").toLowerCase();
    for (const site of this.sites.values()) {
      if (site.tenant.hostname === host && site.path.toLowerCase() === wanted) return site;
    }
    return undefined;
  }
}
