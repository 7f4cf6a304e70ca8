/** `npm run test:live` names every missing GRAPH_LIVE_* setting and never echoes a value. */
import { describe, expect, it } from "vitest";
import { liveSettingsProblems, readLiveSettings } from "../conformance/liveSettings.js";

const complete = {
  GRAPH_LIVE_TENANT_ID: "00000000-0000-0000-0000-000000000000",
  GRAPH_LIVE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
  GRAPH_LIVE_CLIENT_SECRET: "s3cret-value",
  GRAPH_LIVE_SITE_URL: "https://contoso.sharepoint.com/sites/Ops",
  GRAPH_LIVE_LIBRARY: "Documents",
};

describe("live conformance settings", () => {
  it("names every missing setting when none is set", () => {
    const problems = liveSettingsProblems({}).join("\n");
    for (const name of [
      "GRAPH_LIVE_TENANT_ID",
      "GRAPH_LIVE_CLIENT_ID",
      "GRAPH_LIVE_CLIENT_SECRET",
      "GRAPH_LIVE_CERTIFICATE_PATH",
      "GRAPH_LIVE_DRIVE_ID",
      "GRAPH_LIVE_SITE_URL",
      "GRAPH_LIVE_LIBRARY",
    ]) {
      expect(problems).toContain(name);
    }
  });

  it("refuses two credentials or two ways to name the drive, without echoing values", () => {
    const problems = liveSettingsProblems({
      ...complete,
      GRAPH_LIVE_CERTIFICATE_PATH: "/tmp/app.pem",
      GRAPH_LIVE_DRIVE_ID: "b!drive",
    });
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).not.toContain("s3cret-value");
  });

  it("builds the project's own app-only auth config from the live settings", () => {
    const settings = readLiveSettings(complete);
    expect(settings.auth.mode).toBe("client-secret");
    expect(settings.auth.cloud.graphRoot).toBe("https://graph.microsoft.com");
    expect(settings.drive).toEqual({
      kind: "library",
      siteUrl: "https://contoso.sharepoint.com/sites/Ops",
      library: "Documents",
    });
    const cert = readLiveSettings({
      ...complete,
      GRAPH_LIVE_CLIENT_SECRET: undefined,
      GRAPH_LIVE_CERTIFICATE_PATH: "/tmp/app.pem",
      GRAPH_LIVE_SITE_URL: undefined,
      GRAPH_LIVE_LIBRARY: undefined,
      GRAPH_LIVE_DRIVE_ID: "b!drive",
    });
    expect(cert.auth.mode).toBe("client-certificate");
    expect(cert.drive).toEqual({ kind: "id", driveId: "b!drive" });
  });
});
