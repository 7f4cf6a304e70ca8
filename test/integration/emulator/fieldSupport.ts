/** Helpers shared by the field-profile tests (docs/emulator.md "Profiles"). */
import { afterEach, expect } from "vitest";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import { encodePath, putFragment, startTestEmulator, type TestEmulator } from "../../support/emulator.js";

export const ops = DEFAULT_DRIVE_IDS.opsDocuments;

export interface ItemJson {
  id: string;
  name: string;
  size: number;
  eTag: string;
  cTag: string;
  file?: { hashes: { quickXorHash?: string } };
}

export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string } };
  return body.error.code;
}

export function createSessionRequest(
  emu: TestEmulator,
  path: string,
  behavior: "fail" | "replace" | "rename" = "replace",
  extra: Record<string, unknown> = {},
): Promise<Response> {
  return emu.graph(`/drives/${ops}/root:${encodePath(path)}:/createUploadSession`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": behavior }, ...extra }),
  });
}

export async function uploadUrlOf(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  return ((await res.json()) as { uploadUrl: string }).uploadUrl;
}

/** The single-fragment upload of `bytes`: the last fragment, so it commits. */
export function putWhole(uploadUrl: string, bytes: Buffer): Promise<Response> {
  return putFragment(uploadUrl, bytes, 0, bytes.length);
}

export function commitFromSource(
  emu: TestEmulator,
  path: string,
  sourceUrl: string,
  behavior: "fail" | "replace" | "rename" = "replace",
): Promise<Response> {
  const leaf = path.split("/").pop() ?? path;
  return emu.graph(`/drives/${ops}/root:${encodePath(path)}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name: leaf,
      "@microsoft.graph.conflictBehavior": behavior,
      "@microsoft.graph.sourceUrl": sourceUrl,
    }),
  });
}

export async function getItem(emu: TestEmulator, path: string): Promise<ItemJson> {
  const res = await emu.graph(`/drives/${ops}/root:${encodePath(path)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ItemJson;
}

export async function sessionStatus(uploadUrl: string): Promise<{ status: number; ranges?: string[] }> {
  const res = await fetch(uploadUrl, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) return { status: res.status };
  const body = (await res.json()) as { nextExpectedRanges: string[] };
  return { status: 200, ranges: body.nextExpectedRanges };
}

/** Requests the emulator logged on one route (to assert how many the client needed). */
export function requestsOn(emu: TestEmulator, route: string): number {
  return emu.inspect.requestLog().filter((r) => r.route === route).length;
}

/** Emulators started by one test, closed after it: `const start = startedPerTest();` at describe level. */
export function startedPerTest(): (
  options?: Parameters<typeof startTestEmulator>[0],
) => Promise<TestEmulator> {
  const running: TestEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
  });
  return async (options = {}) => {
    const emu = await startTestEmulator(options);
    running.push(emu);
    return emu;
  };
}
