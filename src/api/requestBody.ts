/**
 * Reads a JSON request body with a size limit, without trusting Content-Length (it may be absent or wrong).
 */
import type { HttpRequest } from "@azure/functions";
import type { FieldProblem } from "../core/shared/validationError.js";

export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: FieldProblem };

export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    problem: { field: "(body)", rule: `must be at most ${maxBytes} bytes (HTTP_JSON_MAX_BYTES)` },
  };
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return tooLarge;

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return tooLarge;
      }
      chunks.push(value);
    }
  }
  if (size === 0) return { ok: false, problem: { field: "(body)", rule: "is required: a JSON object" } };

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    return { ok: false, problem: { field: "(body)", rule: "must be UTF-8 text" } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, problem: { field: "(body)", rule: "must be valid JSON" } };
  }
}
