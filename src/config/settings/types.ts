/**
 * The shape of one entry in the settings registry (src/config/settings.ts). Kept apart from the registry so the
 * per-area lists in this folder can name it without importing the module that concatenates them.
 */

export type SettingArea =
  | "auth"
  | "graph"
  | "storage"
  | "pipeline"
  | "http-api"
  | "sftp"
  | "mirror"
  | "platform";

/**
 * Who reads it: the Functions app in Azure (`app`), the command line and local runs only (`local`), or the
 * operating system and the Functions platform, which set it themselves (`ambient`).
 */
export type SettingScope = "app" | "local" | "ambient";

export interface SettingInfo {
  readonly name: string;
  readonly area: SettingArea;
  readonly scope: SettingScope;
  /**
   * `always`: the app does not start without it (or one of `satisfiedBy`); `conditional`: required in some
   * modes (see the description); `optional`: has a default or is off when absent.
   */
  readonly required: "always" | "conditional" | "optional";
  /** Settings that stand in for this one (the identity-based forms of AzureWebJobsStorage). */
  readonly satisfiedBy?: readonly string[];
  /** Holds a credential: in Azure it must be a Key Vault reference, never a literal value. */
  readonly secret: boolean;
  readonly description: string;
}
