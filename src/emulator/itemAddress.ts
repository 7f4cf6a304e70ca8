/** How a request addresses a drive item (graphRouter.ts parses it; the handlers act on it). */
export type ItemAction = "" | "children" | "content" | "createUploadSession" | "permissions" | "invite";

export interface ItemAddress {
  /** `root`, or an item id. */
  readonly base: { readonly kind: "root" } | { readonly kind: "id"; readonly id: string };
  /** Decoded names after `:`; undefined when the item was addressed without a path. */
  readonly path?: readonly string[];
  readonly action: ItemAction;
  /** `.../permissions/{id}`: the permission addressed (permissionRouting.ts). */
  readonly permissionId?: string;
}
