/**
 * Helpers for the auth tests: a capturing logger and the check that nothing secret leaked into logs or
 * error messages (docs/design.md invariant 5).
 */
import { expect } from "vitest";
import type { AuthLogEvent, AuthLogger } from "../../src/auth/log.js";

export interface CapturedLogs {
  readonly events: AuthLogEvent[];
  readonly logger: AuthLogger;
  /** Error messages the test saw, added with `seen(err)`. */
  readonly messages: string[];
  seen<T>(err: T): T;
}

export function captureLogs(): CapturedLogs {
  const events: AuthLogEvent[] = [];
  const messages: string[] = [];
  return {
    events,
    messages,
    logger: (event) => events.push(event),
    seen(err) {
      messages.push(err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ""}` : String(err));
      return err;
    },
  };
}

/** Fails when any secret appears in any captured log event or error message. */
export function expectNoSecrets(captured: CapturedLogs, secrets: readonly string[]): void {
  const text = `${captured.events.map((e) => JSON.stringify(e)).join("\n")}\n${captured.messages.join("\n")}`;
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    expect(text.includes(secret), `a secret (${secret.slice(0, 4)}...) leaked into logs or errors`).toBe(
      false,
    );
  }
}

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err: unknown) {
    if (err instanceof Error) return err;
    throw new Error(`threw a non-Error: ${String(err)}`);
  }
  throw new Error("expected a failure, but the call succeeded");
}
