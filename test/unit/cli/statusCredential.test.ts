/**
 * `graph-mirror status --azure --credential cli`: the option builds an AzureCliCredential (the operator's
 * `az login`), the default stays the managed identity, and wrong uses are refused naming the option. Nothing here
 * asks Azure for a token: only the credential objects are built.
 */
import { AzureCliCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { statusCommand } from "../../../src/cli/commands/status.js";
import { statusStorageOptions } from "../../../src/cli/commands/statusCredential.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";

describe("status --credential", () => {
  it("cli builds an AzureCliCredential; the default leaves the managed identity to the storage factory", () => {
    expect(statusStorageOptions("cli").credential).toBeInstanceOf(AzureCliCredential);
    expect(statusStorageOptions(undefined)).toEqual({});
    expect(statusStorageOptions("managed-identity")).toEqual({});
  });

  it("refuses an unknown kind, and --credential without --azure, naming the option and the rule", async () => {
    expect(() => statusStorageOptions("browser")).toThrow(ConfigError);
    expect(() => statusStorageOptions("browser")).toThrow(/--credential: must be managed-identity or cli/);
    const io = { env: {}, stdout: process.stdout };
    await expect(statusCommand({ limit: "10", credential: "cli" }, io)).rejects.toThrow(
      /--credential: is used only with --azure/,
    );
  });
});
