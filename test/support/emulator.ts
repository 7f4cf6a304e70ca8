/**
 * Small helpers for tests that talk to the Graph emulator over real sockets with plain fetch.
 */
import type { Clock } from "../../src/core/ports/common.js";
import {
  DEFAULT_TOKEN,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";

/** A clock tests move by hand: expiry without waiting. */
export class ManualClock implements Clock {
  constructor(private current = Date.parse("2026-01-05T09:00:00Z")) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export interface TestEmulator extends RunningEmulator {
  readonly clock: ManualClock;
  /** fetch against the Graph host; `path` starts after `/v1.0`. Sends `dev-token` unless `token` says otherwise. */
  graph(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = new ManualClock();
  const emulator = await startEmulator({ clock, ...options });
  return {
    ...emulator,
    clock,
    graph(path, init = {}) {
      const { token = DEFAULT_TOKEN, headers, ...rest } = init;
      const merged = new Headers(headers);
      if (token !== null) merged.set("authorization", `Bearer ${token}`);
      return fetch(`${emulator.graphBaseUrl}${path}`, {
        ...rest,
        headers: merged,
        signal: rest.signal ?? AbortSignal.timeout(30_000),
      });
    },
  };
}

/** The token {@link startTinyQuotaEmulator}'s seed accepts. */
export const TINY_TOKEN = "t";

/** An emulator whose only drive has a quota of `quotaBytes`, for quota tests; Graph calls need {@link TINY_TOKEN}. */
export async function startTinyQuotaEmulator(
  quotaBytes: number,
): Promise<{ emu: TestEmulator; driveId: string }> {
  const emu = await startTestEmulator({
    seed: {
      tenants: [
        {
          hostname: "tiny.sharepoint.com",
          sites: [{ path: "/", displayName: "Tiny", libraries: [{ name: "Documents", quotaBytes }] }],
          tokens: [TINY_TOKEN],
        },
      ],
    },
  });
  const drive = (await (await emu.graph("/sites/root/drive", { token: TINY_TOKEN })).json()) as {
    id: string;
  };
  return { emu, driveId: drive.id };
}

/** `encodeURIComponent` per segment, `/` kept (docs/graph-protocol.md "Addressing"). */
export function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/** PUT one fragment to an upload URL (no Authorization header, as the protocol requires). */
export function putFragment(
  uploadUrl: string,
  bytes: Uint8Array,
  first: number,
  total: number,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(uploadUrl, {
    method: "PUT",
    body: bytes,
    ...init,
    headers: {
      "content-range": `bytes ${first}-${first + bytes.length - 1}/${total}`,
      ...(init.headers as Record<string, string> | undefined),
    },
    signal: init.signal ?? AbortSignal.timeout(30_000),
  });
}

/** Creates an upload session for `path` in `driveId` and returns its upload URL. */
export async function createSession(
  emulator: TestEmulator,
  driveId: string,
  path: string,
  item: Record<string, unknown> = { "@microsoft.graph.conflictBehavior": "replace" },
  extra: Record<string, unknown> = {},
): Promise<string> {
  const response = await emulator.graph(`/drives/${driveId}/root:${encodePath(path)}:/createUploadSession`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item, ...extra }),
  });
  if (response.status !== 200)
    throw new Error(`createUploadSession: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { uploadUrl: string };
  return body.uploadUrl;
}

/** Deterministic pseudo-random bytes. */
export function patternBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
