/**
 * The few HTTP calls graph-mirror makes to the identity platform itself (refresh grants, device code, PKCE
 * code redemption), over the Graph client's exchange on node:https (src/graph/transport.ts) rather than fetch,
 * so a private CA can be trusted per call (`ca`), as the @azure/identity credentials allow with `tlsOptions`.
 * Every call has a deadline.
 */
import { exchange } from "../graph/transport.js";

export interface IdentityHttpOptions {
  readonly signal?: AbortSignal;
  /** Whole-request deadline; the identity platform answers in well under a second when healthy. */
  readonly timeoutMs?: number;
  /** Extra trusted CA certificates (PEM), for private endpoints and the tests' local identity endpoint. */
  readonly ca?: string | Buffer;
}

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** A token or device-code answer is a few KiB; anything far larger is not one (read no further). */
const MAX_ANSWER_BYTES = 1024 * 1024;
const NOT_JSON = { error: "invalid_response", error_description: "the answer was not JSON" };

/** POSTs an `application/x-www-form-urlencoded` body and parses the JSON answer (any status). */
export async function postForm(
  url: string,
  form: Readonly<Record<string, string>>,
  options: IdentityHttpOptions = {},
): Promise<JsonResponse> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)];
  if (options.signal) signals.push(options.signal);
  const answer = await exchange(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.any(signals),
    maxResponseBytes: MAX_ANSWER_BYTES,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  return { status: answer.status, body: parseAnswer(answer.text) };
}

function parseAnswer(text: string | undefined): unknown {
  if (text === undefined) return NOT_JSON;
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
