/**
 * The structured logger injected into token providers, in the one log shape (src/core/shared/log.ts): one
 * event per decision (source tried, expiry, refresh attempt, fallback), named `auth.*` or `login.*`. Token
 * values, refresh tokens and secrets are never passed to it (docs/design.md invariant 5); fields carry names,
 * times, counts and error codes only.
 */
import type { LogEvent, Logger } from "../core/shared/log.js";

export type AuthLogField = string | number | boolean | undefined;

export interface AuthLogEvent extends LogEvent {
  readonly [field: string]: AuthLogField;
}

export type AuthLogger = Logger<AuthLogEvent>;

export const silentLogger: AuthLogger = () => {};
