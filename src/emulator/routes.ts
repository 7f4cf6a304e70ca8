/**
 * Stable route names. Fault rules, the request log and the counters use them; other areas' tests match on them,
 * so never rename one (add new ones instead).
 *
 * Graph host (`/v1.0/...`, bearer token required):
 * - getMe `/me`, getMeDrive `/me/drive`, getUserDrive `/users/{upn-or-id}/drive`
 * - getSite `/sites/{hostname}`, `/sites/{siteId}`, `/sites/root`; getSiteByPath `/sites/{hostname}:/{path}`
 * - getSiteDrive `/sites/{siteId}/drive`; listSiteDrives `/sites/{siteId}/drives` (paged)
 * - getDrive `.../drive` or `/drives/{id}`; getRoot `.../root`; getItem `.../root:/{path}`, `.../items/{id}`
 * - listChildren `GET .../children`; createFolder `POST .../children`; deleteItem `DELETE` an item
 * - simpleUpload `PUT .../content`; downloadContent `GET .../content`; createUploadSession `POST .../createUploadSession`
 * - commitFromUploadSession `PUT .../root:/{path}` (or `.../items/{id}`, `.../items/{parentId}:/{name}`) with a
 *   JSON body carrying `@microsoft.graph.sourceUrl`: commits a complete, uncommitted upload session
 * - updateItem `PATCH` an item: metadata only (`description`, `fileSystemInfo`): new eTag, same cTag
 * - listPermissions `GET .../permissions` (paged); invite `POST .../invite`; deletePermission
 *   `DELETE .../permissions/{id}` (handlers/permissionRoutes.ts)
 * Upload host (`/up/{sessionId}?tempauth=...`, no Authorization header allowed):
 * - uploadFragment `PUT`, uploadStatus `GET`, uploadCancel `DELETE`, uploadCommit `POST` (deferCommit)
 * Anything else: `unknown`. The control API (`/_emulator/...`) is neither logged nor subject to faults.
 */
export const ROUTE_NAMES = [
  "getMe",
  "getMeDrive",
  "getUserDrive",
  "getSite",
  "getSiteByPath",
  "getSiteDrive",
  "listSiteDrives",
  "getDrive",
  "getRoot",
  "getItem",
  "listChildren",
  "createFolder",
  "deleteItem",
  "simpleUpload",
  "downloadContent",
  "createUploadSession",
  "commitFromUploadSession",
  "updateItem",
  "listPermissions",
  "invite",
  "deletePermission",
  "uploadFragment",
  "uploadStatus",
  "uploadCancel",
  "uploadCommit",
  "updateItem",
  "unknown",
] as const;

export type RouteName = (typeof ROUTE_NAMES)[number];
