/**
 * src/auth/delegated/tokenCore.ts: what token.json and rclone share. Expiry with the refresh margin, the token
 * Graph rejected, and the memory of refused refresh tokens (a refused one is never sent again; a network failure
 * is). The token endpoint is a real HTTP server on a loopback socket; the tests count its requests.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DelegatedTokenCore, newDelegatedState } from "../../../src/auth/delegated/tokenCore.js";
import { AuthError, SIGN_IN_AGAIN } from "../../../src/auth/errors.js";
import type { AuthLogEvent } from "../../../src/auth/log.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const MARGIN = 5 * 60_000;
const clock = { now: () => NOW };

let server: http.Server;
let endpoint: string;
let requests: string[];
let answer: { status: number; body: unknown };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      requests.push(body);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant/oauth2/v2.0/token`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  answer = {
    status: 200,
    body: { access_token: "new-access", expires_in: 3600, refresh_token: "new-refresh" },
  };
});

function newCore() {
  const events: AuthLogEvent[] = [];
  const state = newDelegatedState();
  const core = new DelegatedTokenCore(state, {
    clock,
    logger: (e) => events.push(e),
    refreshMarginMs: MARGIN,
  });
  return { core, state, events };
}

describe("DelegatedTokenCore.usable", () => {
  it("takes a token until the refresh margin before its expiry, and one without expiry always", () => {
    const { core } = newCore();
    expect(core.usable("t", NOW + MARGIN + 1, undefined)).toBe(true);
    expect(core.usable("t", NOW + MARGIN, undefined)).toBe(false);
    expect(core.usable("t", NOW - 1, undefined)).toBe(false);
    expect(core.usable("t", undefined, undefined)).toBe(true);
  });

  it("never takes the token Graph just rejected, whatever its expiry says", () => {
    const { core } = newCore();
    expect(core.usable("t", NOW + 3_600_000, "t")).toBe(false);
    expect(core.usable("t", undefined, "t")).toBe(false);
    expect(core.usable("t", NOW + 3_600_000, "other")).toBe(true);
  });
});

describe("DelegatedTokenCore.refresh", () => {
  const client = () => ({ tokenEndpoint: endpoint, clientId: "client" });

  it("returns the new token set from the token endpoint", async () => {
    const { core } = newCore();
    const set = await core.refresh(
      client(),
      "rt-1",
      ["a", "b"],
      core.grantContext("token.json (x)", undefined),
    );
    expect(set).toMatchObject({
      accessToken: "new-access",
      refreshToken: "new-refresh",
      expiresAt: NOW + 3_600_000,
    });
    expect(requests).toHaveLength(1);
    expect(new URLSearchParams(requests[0]).get("refresh_token")).toBe("rt-1");
  });

  it("remembers a refused refresh token and never sends it again", async () => {
    const { core, state, events } = newCore();
    answer = { status: 400, body: { error: "invalid_grant", error_description: "AADSTS70008: expired" } };
    const first = await core
      .refresh(client(), "rt-dead", [], core.grantContext("rclone remote", undefined))
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AuthError);
    expect(requests).toHaveLength(1);
    expect(state.deadRefreshTokens.size).toBe(1);
    // The state holds a digest, never the refresh token itself.
    expect([...state.deadRefreshTokens.keys()][0]).not.toContain("rt-dead");

    let second: unknown;
    try {
      core.refreshableOrThrow("rt-dead", "rclone remote", "rclone");
    } catch (err: unknown) {
      second = err;
    }
    expect(second).toBeInstanceOf(AuthError);
    expect((second as AuthError).code).toBe("sign-in-required");
    expect((second as AuthError).message).toBe((first as AuthError).message);
    expect(requests).toHaveLength(1);
    expect(events).toContainEqual({
      event: "auth.refresh-skipped",
      source: "rclone",
      reason: "refused earlier",
    });
    expect(JSON.stringify(events)).not.toContain("rt-dead");
  });

  it("does not remember a refresh token when the endpoint is unavailable (retried later)", async () => {
    const { core, state } = newCore();
    answer = { status: 503, body: { error: "temporarily_unavailable" } };
    const err = await core
      .refresh(client(), "rt-busy", [], core.grantContext("token.json (x)", undefined))
      .catch((e: unknown) => e);
    expect((err as AuthError).code).toBe("network");
    expect(state.deadRefreshTokens.size).toBe(0);
    expect(core.refreshableOrThrow("rt-busy", "token.json (x)", "token.json")).toBe("rt-busy");
    expect(requests).toHaveLength(1);
  });
});

describe("DelegatedTokenCore.refreshableOrThrow", () => {
  it("asks the user to sign in again when there is no refresh token", () => {
    const { core } = newCore();
    expect(() => core.refreshableOrThrow(undefined, "token.json (x)", "token.json")).toThrow(SIGN_IN_AGAIN);
  });
});
