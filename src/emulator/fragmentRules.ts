/**
 * The rules a fragment PUT must follow before any byte is stored (docs/graph-protocol.md "Upload sessions", "Fragment PUT"):
 * Content-Length present and equal to the Content-Range length, no chunked encoding, one total for the whole
 * session, 320 KiB multiples for every fragment but the last, under 60 MiB, no overlap, no gap.
 */
import type { IncomingMessage } from "node:http";
import { firstMissing, overlaps } from "./byteRanges.js";
import { errors, GraphError } from "./errors.js";
import { contentLength } from "./http.js";
import type { EmulatorLimits } from "./limits.js";
import type { UploadSession } from "./sessions.js";

export interface ContentRange {
  readonly first: number;
  readonly last: number;
  readonly total: number;
}

function parseContentRange(req: IncomingMessage): ContentRange {
  const header = req.headers["content-range"];
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  const [first, last, total] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
  if (!match || !(first <= last && last < total)) {
    throw errors.invalidRequest(
      "The Content-Range header must be 'bytes {first}-{last}/{total}' with first <= last < total.",
      "invalidContentRange",
    );
  }
  return { first, last, total };
}

export function checkFragment(
  limits: EmulatorLimits,
  session: UploadSession,
  req: IncomingMessage,
): ContentRange {
  if (/chunked/i.test(req.headers["transfer-encoding"] ?? "")) {
    // SharePoint rejects chunked transfer encoding (docs/graph-protocol.md "Fragment PUT").
    throw errors.invalidRequest("Fragments must be sent with Content-Length, not chunked transfer encoding.");
  }
  const length = contentLength(req);
  if (length === undefined)
    throw new GraphError(411, "invalidRequest", "A Content-Length header is required.");
  const { first, last, total } = parseContentRange(req);
  const size = last - first + 1;
  if (length !== size) {
    throw errors.invalidRequest(`Content-Length (${length}) must equal the Content-Range length (${size}).`);
  }
  if (session.total !== undefined && total !== session.total) {
    throw errors.invalidRequest(
      `The Content-Range total (${total}) must be the same on every fragment (${session.total}).`,
      "invalidContentRange",
    );
  }
  if (size >= limits.maxFragmentBytes) {
    throw new GraphError(
      413,
      "invalidRequest",
      `A fragment must be smaller than ${limits.maxFragmentBytes} bytes.`,
    );
  }
  const isFinal = last === total - 1;
  if (!isFinal && size % limits.fragmentMultipleBytes !== 0) {
    throw errors.invalidRequest(
      `Every fragment but the last must be a multiple of ${limits.fragmentMultipleBytes} bytes (320 KiB).`,
      "invalidFragmentLength",
    );
  }
  const range = [first, last + 1] as const;
  if (overlaps(session.ranges, range) || (session.inFlight && overlaps([session.inFlight], range))) {
    throw new GraphError(
      416,
      "invalidRange",
      "The fragment overlaps bytes already received.",
      "fragmentOverlap",
    );
  }
  if (!limits.allowOutOfOrderFragments && first !== firstMissing(session.ranges)) {
    throw new GraphError(
      416,
      "invalidRange",
      `Fragments must be sent in order: the next expected byte is ${firstMissing(session.ranges)}.`,
      "fragmentOutOfOrder",
    );
  }
  return { first, last, total };
}
