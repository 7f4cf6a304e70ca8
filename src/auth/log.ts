/**
 * The structured logger injected into token providers: one object per decision (source tried, expiry, refresh
 * attempt, fallback). Token values, refresh tokens and secrets are never passed to it (docs/design.md
 * invariant 5); fields carry names, times, counts and error codes only.
 */
export type AuthLogField = string | number | boolean | undefined;

export interface AuthLogEvent {
  readonly msg: string;
  readonly [field: string]: AuthLogField;
}

export type AuthLogger = (event: AuthLogEvent) => void;

export const silentLogger: AuthLogger = () => {};
