import { createHash } from "node:crypto";
import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { decryptRcloneConfig, isEncryptedRcloneConfig } from "../../../src/auth/delegated/rcloneCrypt.js";
import { parseRcloneIni } from "../../../src/auth/delegated/rcloneIni.js";

/** rclone's scheme (fs/config/crypt.go), written here independently of src/. */
function encrypt(plain: string, password: string, nonce = nacl.randomBytes(24)): string {
  const key = createHash("sha256")
    .update(`[${password.normalize("NFKC")}][rclone-config]`)
    .digest();
  const box = nacl.secretbox(new TextEncoder().encode(plain), nonce, new Uint8Array(key));
  const base64 = Buffer.concat([Buffer.from(nonce), Buffer.from(box)]).toString("base64");
  return `# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\n${base64.replace(/(.{64})/g, "$1\n")}`;
}

const PLAIN = '[od]\ntype = onedrive\ntoken = {"access_token":"a;b#c","expiry":"2026-01-01T00:00:00Z"}\n';

describe("encrypted rclone config", () => {
  it("decrypts what rclone's scheme encrypts, with the password NFKC-normalised", () => {
    const text = encrypt(PLAIN, "ｐａｓｓ"); // fullwidth letters normalise to "pass"
    expect(isEncryptedRcloneConfig(text)).toBe(true);
    expect(decryptRcloneConfig(text, "pass", "rclone.conf")).toBe(PLAIN);
    expect(isEncryptedRcloneConfig(PLAIN)).toBe(false);
  });

  it("asks for RCLONE_CONFIG_PASS, and rejects a wrong one, a short file and an unknown version", () => {
    const text = encrypt(PLAIN, "right");
    expect(() => decryptRcloneConfig(text, undefined, "r.conf")).toThrow(
      "is encrypted: set RCLONE_CONFIG_PASS",
    );
    expect(() => decryptRcloneConfig(text, "wrong", "r.conf")).toThrow(
      "RCLONE_CONFIG_PASS is not its configuration password",
    );
    expect(() => decryptRcloneConfig("RCLONE_ENCRYPT_V0:\nAAAA", "x", "r.conf")).toThrow("too short");
    expect(() => decryptRcloneConfig("RCLONE_ENCRYPT_V1:\nAAAA", "x", "r.conf")).toThrow(
      "newer than graph-mirror knows",
    );
  });
});

describe("rclone config syntax", () => {
  it("keeps ; and # inside values, skips comment lines, and unquotes", () => {
    const sections = parseRcloneIni(
      `# comment\n; another\n[od]\ntype = onedrive\ntoken = {"access_token":"x;y#z"}\nname = "quoted"\nurl: https://a.example/b\n\n[other]\ntype=local\n`,
    );
    expect(sections.get("od")?.get("token")).toBe('{"access_token":"x;y#z"}');
    expect(sections.get("od")?.get("name")).toBe("quoted");
    expect(sections.get("od")?.get("url")).toBe("https://a.example/b");
    expect(sections.get("other")?.get("type")).toBe("local");
  });
});
