/** Which tokens the read commands accept before any call: any that can read files or sites, or whose permissions are unknown. */
import { describe, expect, it } from "vitest";
import { assertReadAllowed, assessReadCapability } from "../../../src/auth/readGate.js";

describe("read capability", () => {
  it.each([
    [["Files.Read.All"], true],
    [["https://graph.microsoft.com/Sites.Read.All", "openid"], true],
    [["Files.ReadWrite"], true],
    [["Sites.Selected"], true],
    [[], true],
    [["openid", "offline_access"], true],
    [["User.Read"], false],
    [["User.Read", "Mail.Read", "profile"], false],
  ])("%j may read: %s", (permissions, mayRead) => {
    expect(assessReadCapability(permissions).mayRead).toBe(mayRead);
  });

  it("refuses with the token's source, its permissions and what to grant", async () => {
    const provider = {
      getToken: async () => "t",
      describe: async () => ({
        source: "static token",
        capability: "read-only" as const,
        scopes: ["User.Read"],
      }),
    };
    await expect(assertReadAllowed(provider)).rejects.toThrow(
      /static token: the token's permissions \(User\.Read\) include none that can read.*Files\.Read\.All/,
    );
    await expect(assertReadAllowed({ getToken: async () => "t" })).resolves.toBeUndefined();
  });
});
