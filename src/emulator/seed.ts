/**
 * The world the emulator serves: tenants with a SharePoint hostname, sites and their libraries, users with a
 * OneDrive, quotas and accepted tokens. Loaded from JSON (`graph-mirror emulator --seed FILE`) and validated with
 * zod; problems name the field and the rule (ConfigError) and nothing starts.
 */
import { z } from "zod";
import { ConfigError, problemsFromZod } from "../core/shared/validationError.js";
import { driveIdFor, oneDriveIdFor, siteIdFor } from "./ids.js";

const TIB = 1024 ** 4;

const hostnameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, {
    message: "must be a DNS hostname such as contoso.sharepoint.com",
  });

const quotaSchema = z.number().int().positive({ message: "must be a positive whole number of bytes" });

const librarySchema = z.strictObject({
  /** Display name, e.g. `Documents`. */
  name: z.string().trim().min(1, { message: "must not be empty" }),
  /** The library's URL segment, e.g. `Shared Documents` (defaults to the name). */
  webUrlSegment: z.string().trim().min(1, { message: "must not be empty" }).optional(),
  quotaBytes: quotaSchema.optional(),
});

const siteSchema = z.strictObject({
  /** Server-relative path: `/` for the root site, `/sites/Ops` for others. */
  path: z.string().regex(/^\/([^/]+(\/[^/]+)*)?$/, {
    message: "must be a server-relative path starting with / (e.g. /sites/Ops, or / for the root site)",
  }),
  displayName: z.string().min(1, { message: "must not be empty" }),
  libraries: z.array(librarySchema).default([]),
});

const userSchema = z.strictObject({
  id: z.string().min(1, { message: "must not be empty" }),
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, { message: "must look like name@domain" }),
  displayName: z.string().min(1).optional(),
  quotaBytes: quotaSchema.optional(),
});

const tokenObjectSchema = z.strictObject({
  token: z.string().min(1, { message: "must not be empty" }),
  /** `read-only` answers 403 accessDenied to every write. */
  access: z.enum(["full", "read-only"]).default("full"),
  /** Like Sites.Selected: only these site paths (and their libraries); every other site and OneDrive is 403. */
  sites: z.array(z.string().min(1)).optional(),
  /** A delegated token signed in as this user (id or userPrincipalName): enables `/me`. */
  user: z.string().min(1).optional(),
});

const tokenSchema = z.union([z.string().min(1, { message: "must not be empty" }), tokenObjectSchema]);

const tenantSchema = z.strictObject({
  hostname: hostnameSchema,
  sites: z.array(siteSchema).default([]),
  users: z.array(userSchema).default([]),
  tokens: z.array(tokenSchema).min(1, { message: "must list at least one accepted token" }),
  /** Quota of every drive that does not set its own. */
  defaultQuotaBytes: quotaSchema.default(TIB),
});

const seedSchema = z
  .strictObject({ tenants: z.array(tenantSchema).min(1, { message: "must list at least one tenant" }) })
  .superRefine((seed, ctx) => {
    const tokens = new Set<string>();
    const hosts = new Set<string>();
    seed.tenants.forEach((tenant, t) => {
      const host = tenant.hostname.toLowerCase();
      if (hosts.has(host))
        ctx.addIssue({ code: "custom", path: ["tenants", t, "hostname"], message: "must be unique" });
      hosts.add(host);
      const sitePaths = new Set<string>();
      tenant.sites.forEach((site, s) => {
        const key = site.path.toLowerCase();
        if (sitePaths.has(key))
          ctx.addIssue({
            code: "custom",
            path: ["tenants", t, "sites", s, "path"],
            message: "must be unique",
          });
        sitePaths.add(key);
        const names = new Set<string>();
        site.libraries.forEach((library, l) => {
          for (const value of [library.name, library.webUrlSegment ?? library.name]) {
            if (names.has(value.toLowerCase())) {
              ctx.addIssue({
                code: "custom",
                path: ["tenants", t, "sites", s, "libraries", l, "name"],
                message: "name and webUrlSegment must be unique within a site",
              });
            }
          }
          names.add(library.name.toLowerCase());
          names.add((library.webUrlSegment ?? library.name).toLowerCase());
        });
      });
      const userKeys = new Set<string>();
      tenant.users.forEach((user, u) => {
        for (const key of [user.id.toLowerCase(), user.userPrincipalName.toLowerCase()]) {
          if (userKeys.has(key))
            ctx.addIssue({
              code: "custom",
              path: ["tenants", t, "users", u],
              message: "id and userPrincipalName must be unique",
            });
          userKeys.add(key);
        }
      });
      tenant.tokens.forEach((token, k) => {
        const value = typeof token === "string" ? token : token.token;
        if (tokens.has(value))
          ctx.addIssue({
            code: "custom",
            path: ["tenants", t, "tokens", k],
            message: "must be unique across tenants",
          });
        tokens.add(value);
        if (typeof token === "string") return;
        token.sites?.forEach((sitePath, p) => {
          if (!sitePaths.has(sitePath.toLowerCase()))
            ctx.addIssue({
              code: "custom",
              path: ["tenants", t, "tokens", k, "sites", p],
              message: "must be the path of a site of this tenant",
            });
        });
        if (token.user !== undefined && !userKeys.has(token.user.toLowerCase()))
          ctx.addIssue({
            code: "custom",
            path: ["tenants", t, "tokens", k, "user"],
            message: "must be the id or userPrincipalName of a user of this tenant",
          });
      });
    });
  });

/** The seed as written (JSON or object literal). */
export type EmulatorSeed = z.input<typeof seedSchema>;
/** The seed after validation and defaults. */
export type ParsedSeed = z.output<typeof seedSchema>;
export type ParsedTenant = ParsedSeed["tenants"][number];
export type ParsedToken = ParsedTenant["tokens"][number];

/** Validates a seed; throws ConfigError naming each field and rule. */
export function parseSeed(input: unknown, context = "emulator seed"): ParsedSeed {
  const result = seedSchema.safeParse(input);
  if (!result.success) throw new ConfigError(problemsFromZod(result.error), context);
  return result.data;
}

export const DEFAULT_HOSTNAME = "contoso.sharepoint.com";
/** App-only, full access. Not a secret: it only opens the local emulator. */
export const DEFAULT_TOKEN = "dev-token";
/** App-only, read-only: every write answers 403 accessDenied. */
export const READ_ONLY_TOKEN = "dev-token-read-only";
/** App-only, restricted to /sites/Ops as with Sites.Selected. */
export const OPS_ONLY_TOKEN = "dev-token-ops-only";
/** Delegated, signed in as Adele: `/me/drive` is her OneDrive. */
export const ADELE_DELEGATED_TOKEN = "dev-token-adele";

export const DEFAULT_USERS = {
  adele: {
    id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
    userPrincipalName: "adele.vance@contoso.onmicrosoft.com",
  },
  megan: {
    id: "5bde3e51-d13b-4db1-9948-fe4b109d11a7",
    userPrincipalName: "megan.bowen@contoso.onmicrosoft.com",
  },
} as const;

export const DEFAULT_SITE_PATHS = { root: "/", ops: "/sites/Ops" } as const;

export const DEFAULT_SITE_IDS = {
  root: siteIdFor(DEFAULT_HOSTNAME, DEFAULT_SITE_PATHS.root),
  ops: siteIdFor(DEFAULT_HOSTNAME, DEFAULT_SITE_PATHS.ops),
} as const;

export const DEFAULT_DRIVE_IDS = {
  rootDocuments: driveIdFor(DEFAULT_HOSTNAME, DEFAULT_SITE_PATHS.root, "Documents"),
  opsDocuments: driveIdFor(DEFAULT_HOSTNAME, DEFAULT_SITE_PATHS.ops, "Documents"),
  opsReports: driveIdFor(DEFAULT_HOSTNAME, DEFAULT_SITE_PATHS.ops, "Reports"),
  adeleOneDrive: oneDriveIdFor(DEFAULT_HOSTNAME, DEFAULT_USERS.adele.userPrincipalName),
  meganOneDrive: oneDriveIdFor(DEFAULT_HOSTNAME, DEFAULT_USERS.megan.userPrincipalName),
} as const;

export const DEFAULT_SEED: EmulatorSeed = {
  tenants: [
    {
      hostname: DEFAULT_HOSTNAME,
      sites: [
        {
          path: DEFAULT_SITE_PATHS.root,
          displayName: "Communication site",
          libraries: [{ name: "Documents", webUrlSegment: "Shared Documents" }],
        },
        {
          path: DEFAULT_SITE_PATHS.ops,
          displayName: "Operations",
          libraries: [
            { name: "Documents", webUrlSegment: "Shared Documents" },
            { name: "Reports", webUrlSegment: "Reports" },
          ],
        },
      ],
      users: [
        { ...DEFAULT_USERS.adele, displayName: "Adele Vance" },
        { ...DEFAULT_USERS.megan, displayName: "Megan Bowen" },
      ],
      tokens: [
        DEFAULT_TOKEN,
        { token: READ_ONLY_TOKEN, access: "read-only" },
        { token: OPS_ONLY_TOKEN, sites: [DEFAULT_SITE_PATHS.ops] },
        { token: ADELE_DELEGATED_TOKEN, user: DEFAULT_USERS.adele.userPrincipalName },
      ],
    },
  ],
};
