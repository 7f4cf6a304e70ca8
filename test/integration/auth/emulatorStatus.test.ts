/**
 * Issue 15 item 4: `auth status` with the emulator's dev token (opaque: no permission list to read) checks the
 * token with one read call and says it works, instead of "To fix: supply a token". A token the emulator
 * refuses still gets the guidance. Requests go only to the emulator on 127.0.0.1.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { authStatusCommand } from "../../../src/cli/commands/auth.js";
import { DEFAULT_TOKEN, type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.close();
});

async function status(token: string): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await authStatusCommand(
    {},
    {
      env: { GRAPH_BASE_URL: emulator.graphBaseUrl, GRAPH_ACCESS_TOKEN: token },
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
    },
  );
  return { code, out };
}

it("says the emulator's dev token works, with no 'To fix' line", async () => {
  const { code, out } = await status(DEFAULT_TOKEN);
  expect(code).toBe(0);
  expect(out).toMatch(/Checked: +GET 127\.0\.0\.1:\d+\/sites\/root answered 200: the token works/);
  expect(out).not.toContain("To fix");
  expect(out).not.toContain(DEFAULT_TOKEN);
});

it("keeps the guidance for a token the service refuses", async () => {
  const { out } = await status("not-a-valid-token");
  expect(out).toMatch(/Checked: +GET 127\.0\.0\.1:\d+\/sites\/root answered 401/);
  expect(out).toContain("To fix");
  expect(out).not.toContain("not-a-valid-token");
});
