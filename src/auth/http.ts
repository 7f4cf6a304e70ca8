/**
 * The few HTTP calls graph-mirror makes to the identity platform itself (refresh grants, device code, PKCE
 * code redemption). node:https rather than fetch so a private CA can be trusted per call (`ca`), as the
 * @azure/identity credentials allow with `tlsOptions`. Every call has a deadline.
 */
import { http, https } from "../nodeHttp.js";

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

/** POSTs an `application/x-www-form-urlencoded` body and parses the JSON answer (any status). */
export async function postForm(
  url: string,
  form: Readonly<Record<string, string>>,
  options: IdentityHttpOptions = {},
): Promise<JsonResponse> {
  const body = new URLSearchParams(form).toString();
  const target = new URL(url);
  const signals = [AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const client = target.protocol === "https:" ? https : http;
  return new Promise<JsonResponse>((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: "POST",
        signal,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "content-length": Buffer.byteLength(body),
        },
        ...(options.ca && target.protocol === "https:" ? { ca: options.ca } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = { error: "invalid_response", error_description: "the answer was not JSON" };
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
