/**
 * The shape of one mirror definition (issue 6), validated with zod. Destinations use the shapes of the HTTP API
 * (issue 4); their `path` is the destination folder the mirrored files go under.
 */
import { z } from "zod";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
// docs/graph-protocol.md "Names and paths": characters SharePoint and OneDrive refuse in a name.
const FORBIDDEN_NAME_CHARS = /["*:<>?\\|\p{Cc}]/u;

const folderPath = z
  .string({ error: "must be a string" })
  // A path written without the leading / is taken from the drive root, as rclone and AzCopy users expect.
  .transform((p) => (p.startsWith("/") ? p : `/${p}`))
  .refine((p) => p.length <= 400, { message: "must be at most 400 characters (docs/graph-protocol.md)" })
  .refine(
    (p) =>
      p
        .split("/")
        .filter((s) => s !== "")
        .every(
          (s) =>
            s !== "." &&
            s !== ".." &&
            !FORBIDDEN_NAME_CHARS.test(s) &&
            s.trim() === s &&
            !s.endsWith(".") &&
            !s.toLowerCase().includes("_vti_"),
        ),
    {
      message:
        'must be a folder path whose segments are not "." or "..", contain none of " * : < > ? \\ | or ' +
        "control characters, have no leading or trailing spaces, do not end with a dot and do not contain _vti_",
    },
  );

const httpsUrl = z
  .string({ error: "must be a string" })
  .refine((u) => URL.canParse(u) && new URL(u).protocol === "https:", { message: "must be an https:// URL" });

/**
 * Who gets access to a destination folder, applied after a successful pass (src/mirror/shareRules.ts) with
 * Graph's invite (sign-in required): `read` or `write`, the two roles driveitem-invite grants.
 */
const shareRule = z.strictObject({
  to: z.string({ error: "must be a string" }).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
    message: "must be an e-mail address or user principal name (user@example.com)",
  }),
  role: z.enum(["read", "write"], { error: 'must be "read" or "write"' }),
});
const shareRules = z
  .array(shareRule, {
    error: 'must be a list of {"to": "user@example.com", "role": "read" or "write"} rules',
  })
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      const key = rule.to.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({
          code: "custom",
          path: [index, "to"],
          message: `names ${rule.to} again: one rule per user`,
        });
      seen.add(key);
    });
  })
  .optional();

const driveDestination = z.strictObject({
  type: z.literal("drive"),
  driveId: z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9!_.-]{1,200}$/, {
    message: "must be a drive id (letters, digits, ! _ . -)",
  }),
  path: folderPath.default("/"),
  share: shareRules,
});
const onedriveDestination = z.strictObject({
  type: z.literal("onedrive"),
  user: z
    .string({ error: "must be a string" })
    .regex(/^[^\s/\\?#]{1,320}$/, { message: "must be a user principal name or object id" }),
  path: folderPath.default("/"),
  share: shareRules,
});
const sharepointDestination = z.strictObject({
  type: z.literal("sharepoint"),
  site: httpsUrl.refine((u) => !URL.canParse(u) || (new URL(u).search === "" && new URL(u).hash === ""), {
    message: "must be a site URL without query or fragment, e.g. https://contoso.sharepoint.com/sites/Ops",
  }),
  library: z
    .string({ error: "must be a string" })
    .min(1, { message: "must not be empty" })
    .max(255, { message: "must be at most 255 characters" }),
  path: folderPath.default("/"),
  share: shareRules,
});

export const destinationSchema = z.discriminatedUnion(
  "type",
  [driveDestination, onedriveDestination, sharepointDestination],
  { error: 'must be a destination with type "drive", "onedrive" or "sharepoint"' },
);

const glob = z.string({ error: "must be a string" }).min(1, { message: "must not be empty" });

/** A host name or IP address as it appears in SFTP_KNOWN_HOSTS (no user, port or path in it). */
export const sftpHost = z
  .string({ error: "must be a string" })
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]+)$/,
    {
      message: "must be a host name or IP address (no user, port or path)",
    },
  );
export const sftpPort = z
  .number({ error: "must be a number" })
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be from 1 to 65535" })
  .max(65535, { message: "must be from 1 to 65535" });
export const sftpUsername = z
  .string({ error: "must be a string" })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, { message: "must be a user name (letters, digits, _ . -)" });
const sftpFolder = z
  .string({ error: "must be a string" })
  .refine((p) => p.startsWith("/"), { message: "must be an absolute path on the server" })
  .refine((p) => !p.split("/").some((s) => s === ".." || s === "."), {
    message: 'must not contain "." or ".." segments',
  })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), { message: "must not contain control characters" });

const urlItem = z.union(
  [
    httpsUrl,
    z.strictObject({
      url: httpsUrl,
      name: z
        .string({ error: "must be a string" })
        .regex(/^[^/\\]+$/, { message: "must be a file name without / or \\" })
        .optional(),
    }),
  ],
  { error: 'must be an https:// URL or {"url": "https://...", "name": "file.ext"}' },
);

export const sourceSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("file"),
      path: z.string({ error: "must be a string" }).min(1, { message: "must not be empty" }),
    }),
    z.strictObject({
      type: z.literal("blob"),
      container: z.string({ error: "must be a string" }).regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, {
        message: "must be a blob container name (3-63 lowercase letters, digits and single hyphens)",
      }),
      prefix: z.string({ error: "must be a string" }).max(1024).default(""),
    }),
    z.strictObject({
      type: z.literal("url"),
      urls: z.array(urlItem, { error: "must be a list" }).min(1, { message: "must list at least one URL" }),
    }),
    z.strictObject({
      type: z.literal("sftp"),
      host: sftpHost,
      port: sftpPort.default(22),
      username: sftpUsername,
      path: sftpFolder,
    }),
  ],
  { error: 'must be a source with type "file", "blob", "url" or "sftp"' },
);

export const DESTINATION_CHANGED_POLICIES = ["overwrite", "skip-and-report", "keep-both"] as const;

export const mirrorSchema = z.strictObject({
  name: z.string({ error: "must be a string" }).regex(NAME, {
    message: "must be 1-63 letters, digits, dots, hyphens or underscores, starting with a letter or digit",
  }),
  enabled: z.boolean({ error: "must be true or false" }).default(true),
  source: sourceSchema,
  include: z.array(glob, { error: "must be a list of glob patterns" }).default(["**"]),
  exclude: z.array(glob, { error: "must be a list of glob patterns" }).default([]),
  destinations: z
    .array(destinationSchema, { error: "must be a list" })
    .min(1, { message: "must list at least one destination" }),
  conflictBehavior: z
    .enum(["replace", "rename", "fail"], { error: 'must be "replace", "rename" or "fail"' })
    .default("replace"),
  onDestinationChanged: z
    .enum(DESTINATION_CHANGED_POLICIES, { error: 'must be "overwrite", "skip-and-report" or "keep-both"' })
    .default("skip-and-report"),
  propagateDeletes: z.boolean({ error: "must be true or false" }).default(false),
});

export type MirrorDefinition = z.infer<typeof mirrorSchema>;
export type MirrorDestination = z.infer<typeof destinationSchema>;
export type MirrorSource = z.infer<typeof sourceSchema>;
export type DestinationChangedPolicy = (typeof DESTINATION_CHANGED_POLICIES)[number];
