/**
 * Upload sessions die on two clocks (docs/graph-protocol.md "Upload sessions"): `expirationDateTime`, which slides forward
 * with each fragment, and the upload URL's own token, 24 h after creation on SharePoint/OneDrive for Business.
 * Either way the session is replaced before sending rather than after the server refuses it.
 */
import type { UploadSessionState } from "../job/job.js";
import type { EnginePolicy } from "./policy.js";

/** Why the session must be considered dead, or undefined while it is usable. */
export function sessionExpiry(
  session: UploadSessionState | undefined,
  now: number,
  policy: EnginePolicy,
): string | undefined {
  if (!session) return undefined;
  const margin = policy.expirySafetyMs;
  if (now >= session.expiresAt - margin) return "the upload session expired (expirationDateTime passed)";
  if (now >= session.createdAt + policy.sessionLifetimeMs - margin) {
    return "the upload URL reached its absolute lifetime (24 h on SharePoint/OneDrive for Business)";
  }
  return undefined;
}
