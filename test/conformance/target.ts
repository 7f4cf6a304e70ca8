/**
 * The one thing the protocol facts depend on: where Graph is, how to get a token, which drive, and the folder
 * this run may write in. Two targets implement it: the bundled emulator (`npm test`) and a real tenant
 * (`npm run test:live`). The vitest config picks which, through `provide("conformanceTarget")`: a test never
 * skips itself.
 */
import { inject } from "vitest";
import type { TokenProvider } from "../../src/core/ports/common.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** `emulator` in vitest.config.ts, `live` in vitest.live.config.ts. */
    conformanceTarget: "emulator" | "live";
  }
}

export interface ConformanceTarget {
  /** Human-readable, secret-free: shown in the suite's title. */
  readonly name: string;
  /** e.g. `https://graph.microsoft.com/v1.0`. */
  readonly graphBaseUrl: string;
  readonly tokens: TokenProvider;
  readonly driveId: string;
  /** Decoded drive path of this run's folder, e.g. `/graph-mirror-conformance/20260105T090000-ab12cd`. */
  readonly folder: string;
  /**
   * Requests the server has seen so far, when the target can observe them (the emulator's request log);
   * lets a test prove that the server saw exactly the requests the test counted.
   */
  readonly serverRequests?: () => number;
  /** Deletes the run folder (and everything in it), then releases the target. Safe to call once. */
  cleanup(): Promise<void>;
}

/** Opens the target the running vitest config asks for. */
export async function openTarget(): Promise<ConformanceTarget> {
  const kind = inject("conformanceTarget") ?? "emulator";
  if (kind === "live") {
    const { openLiveTarget } = await import("./liveTarget.js");
    return openLiveTarget(process.env);
  }
  const { openEmulatorTarget } = await import("./emulatorTarget.js");
  return openEmulatorTarget();
}
