/**
 * Authentication failures, classified by what the person or the caller should do next. Messages name the
 * setting or command to use and never contain a token, a refresh token or a secret.
 */
export type AuthErrorCode =
  /** The refresh token expired or was revoked: a person must sign in again. */
  | "sign-in-required"
  /** The app's client secret or certificate is wrong or expired: fix the named setting. */
  | "bad-client-credential"
  /** The identity endpoint could not be reached or answered 5xx/429: retrying may work. */
  | "network"
  /** The token cannot do what was asked (known before any Graph call). */
  | "insufficient-permission"
  /** Configuration points at something missing or unreadable (a file, a remote, a password). */
  | "configuration"
  /** Anything else the identity platform refused. */
  | "rejected";

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** True when the same call may succeed later without anyone changing anything. */
    readonly retryable = code === "network",
  ) {
    super(message);
    this.name = "AuthError";
  }
}

export const SIGN_IN_AGAIN = "sign in again with `graph-mirror login`";
