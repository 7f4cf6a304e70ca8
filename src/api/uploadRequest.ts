/**
 * The JSON body of `POST /api/uploads` (issue 4, shapes fixed):
 *   {"source": {...}, "destinations": [{...}, ...], "conflictBehavior": "replace"|"rename"|"fail"}
 * Unknown fields are refused (a misspelt field silently ignored would upload somewhere unexpected).
 * This is the shape check only; src/api/validateUpload.ts applies the rules that need configuration or I/O.
 */
import { z } from "zod";

const text = (max: number) =>
  z
    .string()
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
    .regex(/^[^\u0000-\u001f\u007f]*$/, { error: "must not contain control characters" });

/** Graph ids (drive ids look like `b!AbC...`): no separators that would change the request path. */
const graphId = text(256).regex(/^[^/\\?#\s%]+$/, { error: "must not contain / \\ ? # % or spaces" });

const drivePath = text(1024);

const blobSource = z.strictObject({
  type: z.literal("blob"),
  container: text(63),
  blob: text(1024),
});
const fileSource = z.strictObject({ type: z.literal("file"), path: text(4096) });
const urlSource = z.strictObject({ type: z.literal("url"), url: text(8192) });
const sftpSource = z.strictObject({
  type: z.literal("sftp"),
  host: text(253),
  port: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be from 1 to 65535" })
    .max(65535, { error: "must be from 1 to 65535" })
    .optional(),
  username: text(64),
  path: text(4096),
});

export const sourceSchema = z.discriminatedUnion("type", [blobSource, fileSource, urlSource, sftpSource]);

const driveDestination = z.strictObject({ type: z.literal("drive"), driveId: graphId, path: drivePath });
const onedriveDestination = z.strictObject({ type: z.literal("onedrive"), user: graphId, path: drivePath });
const sharepointDestination = z.strictObject({
  type: z.literal("sharepoint"),
  site: text(2048).regex(/^https:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i, {
    error: "must be an https site URL such as https://contoso.sharepoint.com/sites/Ops",
  }),
  library: text(255).regex(/^[^/\\]+$/, { error: "must be a library name, without / or \\" }),
  path: drivePath,
});

export const destinationSchema = z.discriminatedUnion("type", [
  driveDestination,
  onedriveDestination,
  sharepointDestination,
]);

export const CONFLICT_BEHAVIORS = ["replace", "rename", "fail"] as const;
/** When a request names none: a mirror's purpose is to make the destination match the source. */
export const DEFAULT_CONFLICT_BEHAVIOR = "replace";

export function uploadRequestSchema(maxDestinations: number) {
  return z.strictObject({
    source: sourceSchema,
    // Each destination is checked by src/api/validateDestination.ts, the check the `?to=` form shares.
    destinations: z
      .array(z.unknown())
      .min(1, { error: "must list at least one destination" })
      .max(maxDestinations, { error: `must list at most ${maxDestinations} destinations` }),
    conflictBehavior: z.enum(CONFLICT_BEHAVIORS).optional(),
  });
}

export type UploadRequestBody = z.infer<ReturnType<typeof uploadRequestSchema>>;
