/**
 * Microsoft Graph drive uploads over ./http.ts (docs/graph-protocol.md; not the Graph SDK's LargeFileUploadTask, which never
 * retries, rejects 0-byte files and mishandles http:// URLs: docs/graph-protocol.md last section). Implements the core's
 * GraphPort; the step machine owns every retry and resync decision.
 */

import type { ConflictBehavior, Destination, ResolvedTarget } from "../core/job/job.js";
import type { TokenProvider } from "../core/ports/common.js";
import type {
  DriveItem,
  FragmentOutcome,
  GraphPort,
  ResolvedDrive,
  SessionInfo,
  SessionStatus,
} from "../core/ports/graph.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
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
    // Always send the conflict behaviour: the doc says the default is fail, users see replace (docs/graph-protocol.md).
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
    options?: { readonly timeoutMs?: number },
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
        ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      },
      signal,
    );
    if (response.status === 200 || response.status === 201) {
      return { kind: "completed", item: this.item(response.json, "uploadFragment") };
    }
    const status = this.sessionStatus(response.json, "uploadFragment");
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
    return this.sessionStatus(response.json, "uploadStatus");
  }

  async commitUploadSession(
    target: ResolvedTarget,
    uploadUrl: string,
    conflict: ConflictBehavior,
    signal?: AbortSignal,
  ): Promise<DriveItem> {
    const name = target.path.slice(target.path.lastIndexOf("/") + 1);
    // The documented recovery when a commit fails after every byte landed: the session stays until it expires
    // and can be committed by PUTting the item with the upload URL as its source (Microsoft Learn, "Upload large
    // files with an upload session", "Handling commit errors"). The URL goes in the body to the Graph host,
    // which is where it came from; it never reaches a log (the route name stands for it in messages).
    const body = JSON.stringify({
      name,
      [CONFLICT_PARAM]: conflict,
      "@microsoft.graph.sourceUrl": uploadUrl,
    });
    const response = await this.http.send(
      {
        method: "PUT",
        url: itemByPathUrl(this.http.baseUrl, target.driveId, target.path),
        route: "commitUploadSession",
        host: "graph",
        body,
        headers: { "Content-Type": "application/json" },
      },
      signal,
    );
    return this.item(response.json, "commitUploadSession");
  }

  /**
   * Field reports disagree on whether createUploadSession creates missing parent folders (docs/graph-protocol.md "What the
   * service does"); the engine calls this after such a session answered 404, then creates the session again.
   */
  async ensureParentFolders(target: ResolvedTarget, signal?: AbortSignal): Promise<number> {
    const folders = target.path
      .split("/")
      .filter((s) => s !== "")
      .slice(0, -1);
    let requests = 0;
    for (let depth = 1; depth <= folders.length; depth++) {
      const path = `/${folders.slice(0, depth).join("/")}`;
      requests++;
      if (await this.getItem({ driveId: target.driveId, path }, signal)) continue;
      requests++;
      await this.createFolder(target.driveId, folders.slice(0, depth - 1), folders[depth - 1] ?? "", signal);
    }
    return requests;
  }

  private async createFolder(
    driveId: string,
    parent: readonly string[],
    name: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const url =
      parent.length > 0
        ? itemByPathUrl(this.http.baseUrl, driveId, `/${parent.join("/")}`, "children")
        : `${this.http.baseUrl}/drives/${encodeURIComponent(driveId)}/root/children`;
    try {
      await this.http.send(
        {
          method: "POST",
          url,
          route: "createFolder",
          host: "graph",
          // `fail`: a folder made meanwhile by another job answers 409, which means "exists" here.
          body: JSON.stringify({ name, folder: {}, [CONFLICT_PARAM]: "fail" }),
          headers: { "Content-Type": "application/json" },
        },
        signal,
      );
    } catch (err: unknown) {
      if (err instanceof GraphFailure && err.status === 409) return;
      throw err;
    }
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

  private sessionStatus(json: unknown, route: string): SessionStatus {
    try {
      return toSessionStatus(json);
    } catch {
      throw shape(route);
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
