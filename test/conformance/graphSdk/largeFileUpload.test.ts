/**
 * Conformance with a client we did not write (issue 18): Microsoft's Graph JavaScript SDK uploads files of
 * several sizes to the emulator (field profile) over HTTPS with LargeFileUploadTask and
 * OneDriveLargeFileUploadTask, unmodified. Before HTTPS the SDK could not talk to the emulator at all: it treats
 * only https:// URLs as absolute.
 */
import {
  FileUpload,
  LargeFileUploadTask,
  OneDriveLargeFileUploadTask,
  type UploadResult,
} from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import {
  ADELE_DELEGATED_TOKEN,
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { patternBytes } from "../../support/emulator.js";
import { tempDir, trustingAgent } from "../../support/emulatorTls.js";
import { graphSdkClient } from "../../support/graphSdk.js";

const MiB = 1024 * 1024;
const KIB320 = 327_680;
const SIZES = [
  { label: "0.5 MiB", bytes: MiB / 2 },
  { label: "5 MiB", bytes: 5 * MiB },
  { label: "12 MiB", bytes: 12 * MiB },
] as const;

let emu: RunningEmulator;
let dispatcher: ReturnType<typeof trustingAgent>;
let removeTemp: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir("emu-sdk-");
  removeTemp = temp.remove;
  emu = await startEmulator({ profile: "field", https: { caDir: temp.dir } });
  dispatcher = trustingAgent(emu.tls?.caPem ?? "");
});

afterAll(async () => {
  await dispatcher?.close();
  await emu?.close();
  await removeTemp?.();
});

/** The stored bytes and hash equal what was sent; no upload-host request carried a token. */
function expectStored(driveId: string, path: string, bytes: Buffer, result: UploadResult): void {
  const stored = emu.inspect.readItem(driveId, path);
  expect(stored?.length).toBe(bytes.length);
  expect(stored?.equals(bytes)).toBe(true);
  const summary = emu.inspect.items(driveId).find((i) => i.path === path);
  expect(summary?.quickXorHash).toBe(quickXorHashOf(bytes));
  const body = result.responseBody as {
    id?: string;
    size?: number;
    file?: { hashes?: { quickXorHash?: string } };
  };
  expect(body.id).toBe(summary?.id);
  expect(body.size).toBe(bytes.length);
}

function uploadHostRequests() {
  return emu.inspect.requestLog().filter((r) => r.host === "upload");
}

describe("Graph SDK LargeFileUploadTask against the emulator over HTTPS", () => {
  for (const [index, size] of SIZES.entries()) {
    it(`uploads ${size.label} byte-identical in 320 KiB multiples, never sending the token to the upload host`, async () => {
      emu.inspect.clearLog();
      const client = graphSdkClient(emu, DEFAULT_TOKEN, dispatcher);
      const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
      const name = `sdk-${index}.bin`;
      const bytes = patternBytes(size.bytes, 11 + index);
      const session = await LargeFileUploadTask.createUploadSession(
        client,
        `/drives/${driveId}/root:/${name}:/createUploadSession`,
        { item: { "@microsoft.graph.conflictBehavior": "replace" } },
      );
      expect(session.url.startsWith(`${emu.uploadOrigin}/up/`)).toBe(true);
      const file = new FileUpload(new Uint8Array(bytes), name, bytes.length);
      const task = new LargeFileUploadTask(client, file, session, { rangeSize: 10 * KIB320 });
      const result = await task.upload();
      expectStored(driveId, `/${name}`, bytes, result);
      const fragments = uploadHostRequests();
      expect(fragments.length).toBe(Math.ceil(size.bytes / (10 * KIB320)));
      expect(fragments.every((r) => r.route === "uploadFragment" && !r.hadAuthorization)).toBe(true);
      // The Graph host did get the token (customHosts): the check above is not vacuous.
      expect(emu.inspect.requestLog().find((r) => r.route === "createUploadSession")?.hadAuthorization).toBe(
        true,
      );
    });
  }
});

describe("Graph SDK OneDriveLargeFileUploadTask (the /me/drive helper) against the emulator over HTTPS", () => {
  for (const [index, size] of SIZES.entries()) {
    it(`uploads ${size.label} to the signed-in user's OneDrive byte-identical`, async () => {
      emu.inspect.clearLog();
      const client = graphSdkClient(emu, ADELE_DELEGATED_TOKEN, dispatcher);
      const name = `onedrive-${index}.bin`;
      const bytes = patternBytes(size.bytes, 21 + index);
      // Default range size (5 MiB, per the SDK's getValidRangeSize): 12 MiB is three fragments.
      const task = await OneDriveLargeFileUploadTask.create(client, bytes, {
        fileName: name,
        conflictBehavior: "replace",
      });
      const result = await task.upload();
      expectStored(DEFAULT_DRIVE_IDS.adeleOneDrive, `/${name}`, bytes, result);
      expect(uploadHostRequests().length).toBe(Math.ceil(size.bytes / (5 * MiB)));
      expect(uploadHostRequests().every((r) => !r.hadAuthorization)).toBe(true);
    });
  }
});
