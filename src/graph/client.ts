/**
 * Microsoft Graph drive uploads on plain fetch (GRAPH.md; not the Graph SDK's LargeFileUploadTask, which never
 * retries, rejects 0-byte files and mishandles http:// URLs: GRAPH.md last section). Implements the core's
 * GraphPort; the step machine owns every retry and resync decision.
 */

import { GraphFailure } from "../core/graphFailure.js";
import type {
  DriveItem,
  FragmentOutcome,
  GraphPort,
  ResolvedDrive,
  SessionInfo,
  SessionStatus,
} from "../core/graphPort.js";
import type { ConflictBehavior, Destination, ResolvedTarget } from "../core/job.js";
import type { TokenProvider } from "../core/ports.js";
import { itemByPathUrl } from "./addressing.js";
import { isRecord, parseTime, toDriveItem, toSessionStatus } from "./driveItem.js";
import { GraphHttp } from "./http.js";
import { resolveDrive } from "./resolve.js";

export interface GraphClientOptions {
  readonly baseUrl: string;
  readonly tokens: TokenProvider;
  readonly requestTimeoutMs: number;
}

const CONFLICT_PARAM = "@microsoft.graph.conflictBehavior";

export class GraphClient implements GraphPort {
  private readonly http: GraphHttp;

  constructor(options: GraphClientOptions) {
    this.http = new GraphHttp(options);
  }

  resolveDrive(destination: Destination, signal?: AbortSignal): Promise<ResolvedDrive> {
    return resolveDrive(this.http, destination, signal);
  }

  async simpleUpload(
    target: ResolvedTarget,
    bytes: Uint8Array,
    conflict: ConflictBehavior,
    signal?: AbortSignal,
  ): Promise<DriveItem> {
    const url = `${itemByPathUrl(this.http.baseUrl, target.driveId, target.path, "content")}?${CONFLICT_PARAM}=${conflict}`;
    const response = await this.http.send(
      {
        method: "PUT",
        url,
        route: "simpleUpload",
        host: "graph",
        body: bytes,
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.byteLength) },
      },
      signal,
    );
    return this.item(response.json, "simpleUpload");
  }

  async createUploadSession(
    target: ResolvedTarget,
    options: { readonly conflict: ConflictBehavior },
    signal?: AbortSignal,
  ): Promise<SessionInfo> {
    const name = target.path.slice(target.path.lastIndexOf("/") + 1);
    // Always send the conflict behaviour: the doc says the default is fail, users see replace (GRAPH.md).
    const body = JSON.stringify({ item: { [CONFLICT_PARAM]: options.conflict, name } });
    const response = await this.http.send(
      {
        method: "POST",
        url: itemByPathUrl(this.http.baseUrl, target.driveId, target.path, "createUploadSession"),
        route: "createUploadSession",
        host: "graph",
        body,
        headers: { "Content-Type": "application/json" },
      },
      signal,
    );
    const json = response.json;
    if (!isRecord(json) || typeof json.uploadUrl !== "string") throw shape("createUploadSession");
    const expiresAt = parseTime(json.expirationDateTime);
    const ranges = Array.isArray(json.nextExpectedRanges)
      ? json.nextExpectedRanges.filter((r): r is string => typeof r === "string")
      : undefined;
    return {
      uploadUrl: json.uploadUrl,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(ranges ? { nextExpectedRanges: ranges } : {}),
    };
  }

  async uploadFragment(
    uploadUrl: string,
    fragment: { readonly start: number; readonly bytes: Uint8Array; readonly total: number },
    signal?: AbortSignal,
  ): Promise<FragmentOutcome> {
    const end = fragment.start + fragment.bytes.byteLength - 1;
    const response = await this.http.send(
      {
        method: "PUT",
        url: uploadUrl,
        route: "uploadFragment",
        host: "upload",
        body: fragment.bytes,
        headers: {
          "Content-Length": String(fragment.bytes.byteLength),
          "Content-Range": `bytes ${fragment.start}-${end}/${fragment.total}`,
        },
      },
      signal,
    );
    if (response.status === 200 || response.status === 201) {
      return { kind: "completed", item: this.item(response.json, "uploadFragment") };
    }
    const status = toSessionStatus(response.json);
    return {
      kind: "accepted",
      nextExpectedRanges: status.nextExpectedRanges,
      ...(status.expiresAt !== undefined ? { expiresAt: status.expiresAt } : {}),
    };
  }

  async getUploadStatus(uploadUrl: string, signal?: AbortSignal): Promise<SessionStatus> {
    const response = await this.http.send(
      { method: "GET", url: uploadUrl, route: "uploadStatus", host: "upload" },
      signal,
    );
    return toSessionStatus(response.json);
  }

  async cancelUploadSession(uploadUrl: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.http.send(
        { method: "DELETE", url: uploadUrl, route: "cancelUploadSession", host: "upload" },
        signal,
      );
    } catch (err: unknown) {
      // Already gone is what we wanted.
      if (err instanceof GraphFailure && err.status === 404) return;
      throw err;
    }
  }

  async getItem(target: ResolvedTarget, signal?: AbortSignal): Promise<DriveItem | undefined> {
    try {
      const response = await this.http.send(
        {
          method: "GET",
          url: itemByPathUrl(this.http.baseUrl, target.driveId, target.path),
          route: "getItem",
          host: "graph",
        },
        signal,
      );
      return this.item(response.json, "getItem");
    } catch (err: unknown) {
      if (err instanceof GraphFailure && err.status === 404) return undefined;
      throw err;
    }
  }

  private item(json: unknown, route: string): DriveItem {
    try {
      return toDriveItem(json);
    } catch {
      throw shape(route);
    }
  }
}

function shape(route: string): GraphFailure {
  return new GraphFailure({ kind: "http", status: 502, message: `${route}: unexpected response shape` });
}
