import { describe, expect, it } from "vitest";
import { qualifyScopes } from "../../../src/cli/commands/login.js";

describe("login scopes in national clouds", () => {
  it("names the cloud's Graph root for bare Graph scopes, and leaves OpenID and qualified scopes alone", () => {
    const scopes = ["Files.ReadWrite.All", "offline_access", "https://graph.microsoft.us/User.Read"];
    expect(qualifyScopes(scopes, "https://graph.microsoft.us")).toEqual([
      "https://graph.microsoft.us/Files.ReadWrite.All",
      "offline_access",
      "https://graph.microsoft.us/User.Read",
    ]);
    expect(qualifyScopes(scopes, "https://graph.microsoft.com")).toEqual(scopes);
  });
});
