/**
 * Issue 15 item 1: abusive clients must never take the local host down. Each request below is one a browser,
 * a proxy or an attacker can send: a huge Content-Length and then a stall, slowloris-style headers dribbled in,
 * a client that vanishes mid-body. After each, the host (a child process, as `graph-mirror start` runs it)
 * must still be alive and answer `/api/health`. Every wait is bounded; requests go only to 127.0.0.1.
 */
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { type RunningAzurite, startAzurite } from "../support/azurite.js";
import { ensureBuilt } from "../support/builtApp.js";
import { appFolder, type LocalHostProcess, startLocalHostProcess } from "../support/localHostProcess.js";

let azurite: RunningAzurite;
let emulator: RunningEmulator;
let host: LocalHostProcess;

beforeAll(async () => {
  await ensureBuilt();
  [azurite, emulator] = await Promise.all([startAzurite(), startEmulator()]);
  host = await startLocalHostProcess(appFolder({ maxPollingInterval: 200 }), {
    AzureWebJobsStorage: azurite.connectionString,
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
  });
});

afterAll(async () => {
  await host?.kill("SIGKILL");
  await Promise.all([emulator?.close(), azurite?.stop()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens a raw socket to the host, writes `head`, lets `act` misbehave, then always destroys the socket. */
async function abuse(head: string, act: (socket: net.Socket) => Promise<void>): Promise<void> {
  const { port } = new URL(host.baseUrl);
  const socket = net.connect(Number(port), "127.0.0.1");
  socket.on("error", () => undefined);
  socket.on("data", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.write(head);
  try {
    await act(socket);
  } finally {
    socket.destroy();
  }
}

async function expectHealthy(): Promise<void> {
  await sleep(300);
  expect(host.child.exitCode, host.output()).toBeNull();
  expect(host.child.signalCode, host.output()).toBeNull();
  const health = await fetch(`${host.baseUrl}/api/health`, { signal: AbortSignal.timeout(10_000) });
  expect(health.status, host.output()).toBeLessThan(500);
}

const uploadPath = `/api/uploads?to=drive:${DEFAULT_DRIVE_IDS.opsReports}:/abuse/&name=big.bin`;

it("survives a request that declares a huge Content-Length and then stalls", async () => {
  for (let i = 0; i < 3; i++) {
    await abuse(
      `POST ${uploadPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 53687091200\r\n\r\n`,
      async (socket) => {
        socket.write(Buffer.alloc(64 * 1024, 1));
        await sleep(1_500);
      },
    );
  }
  await expectHealthy();
});

it("survives slowloris-style headers", async () => {
  await abuse("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n", async (socket) => {
    for (let i = 0; i < 10; i++) {
      socket.write(`X-Slow-${i}: ${"a".repeat(10)}\r\n`);
      await sleep(100);
    }
  });
  await expectHealthy();
});

it("survives a client that vanishes mid-body, to an upload and to a JSON request", async () => {
  await abuse(
    `POST ${uploadPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 4000000\r\n\r\n`,
    async (socket) => {
      socket.write(Buffer.alloc(300 * 1024, 2));
      await sleep(300);
      socket.resetAndDestroy();
    },
  );
  await abuse(
    `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"source":`,
    async (socket) => {
      await sleep(300);
      socket.resetAndDestroy();
    },
  );
  await expectHealthy();
});
