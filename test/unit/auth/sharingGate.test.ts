import { describe, expect, it } from "vitest";
import { assessSharingCapability } from "../../../src/auth/sharingGate.js";

describe("assessSharingCapability (driveitem-invite / permission-delete permissions)", () => {
  it.each([
    [["Files.ReadWrite"], true],
    [["Files.ReadWrite.All", "Sites.Manage.All"], true],
    [["https://graph.microsoft.com/Sites.ReadWrite.All"], true],
    [["Sites.FullControl.All"], true],
    [["Sites.Selected"], true],
    [[], true],
    [["openid", "offline_access"], true],
    [["Files.Read.All", "Sites.Read.All", "User.Read"], false],
    [["Files.ReadWrite.AppFolder"], false],
    [["Files.ReadWrite.Selected"], false],
  ])("%o may share: %s", (permissions, mayShare) => {
    expect(assessSharingCapability(permissions).mayShare).toBe(mayShare);
  });

  it("names the token's permissions and the documented ones when refusing", () => {
    expect(assessSharingCapability(["Files.Read.All"]).explanation).toMatch(
      /\(Files\.Read\.All\).*Files\.ReadWrite, Files\.ReadWrite\.All or Sites\.ReadWrite\.All/,
    );
  });
});
