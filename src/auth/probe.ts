/**
 * One read-only Graph call that tells whether a token whose permissions cannot be read (an opaque static token,
 * such as the emulator's `dev-token`) actually works, so `auth status` can say so instead of asking for a new
 * token (issue 15 item 4). `GET /sites/root?$select=id` needs only read access to the tenant's root site.
 * The token never leaves this function: only the outcome does.
 */
export interface ProbeResult {
  readonly ok: boolean;
  /** What was asked and what came back, safe to print (no token, no query beyond $select). */
  readonly summary: string;
}

export async function probeToken(
  graphBaseUrl: string,
  token: string,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const url = `${graphBaseUrl.replace(/\/+$/, "")}/sites/root?$select=id`;
  const asked = `GET ${new URL(graphBaseUrl).host}/sites/root`;
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
    await response.body?.cancel();
    return response.ok
      ? { ok: true, summary: `${asked} answered ${response.status}: the token works` }
      : { ok: false, summary: `${asked} answered ${response.status}` };
  } catch (err: unknown) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    return { ok: false, summary: `${asked} failed: ${cause}` };
  }
}
