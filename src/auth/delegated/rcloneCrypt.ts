/**
 * Opens an encrypted rclone config (rclone fs/config/crypt.go): after optional comment lines comes the line
 * `RCLONE_ENCRYPT_V0:`, then standard base64 of a 24-byte nonce followed by a NaCl secretbox
 * (XSalsa20-Poly1305). The key is SHA-256 of `[` + password + `][rclone-config]`, the password NFKC-normalised
 * first as rclone does. graph-mirror only ever decrypts: rclone.conf is never written.
 */
import { createHash } from "node:crypto";
import nacl from "tweetnacl";
import { AuthError } from "../errors.js";

const MARKER = "RCLONE_ENCRYPT_V0:";
const NONCE_BYTES = 24;

export function isEncryptedRcloneConfig(text: string): boolean {
  return firstContentLine(text)?.startsWith("RCLONE_ENCRYPT_V") ?? false;
}

export function rcloneConfigKey(password: string): Uint8Array {
  const normalized = password.normalize("NFKC");
  return new Uint8Array(createHash("sha256").update(`[${normalized}][rclone-config]`, "utf8").digest());
}

export function decryptRcloneConfig(text: string, password: string | undefined, file: string): string {
  const lines = text.split(/\r?\n/);
  const markerIndex = lines.findIndex((line) => line.trim().startsWith("RCLONE_ENCRYPT_V"));
  const marker = lines[markerIndex]?.trim();
  if (marker !== MARKER) {
    throw new AuthError(
      "configuration",
      `rclone config ${file} uses an encryption format newer than graph-mirror knows (${marker ?? "none"})`,
    );
  }
  if (password === undefined || password.trim() === "") {
    throw new AuthError(
      "configuration",
      `rclone config ${file} is encrypted: set RCLONE_CONFIG_PASS to its configuration password`,
    );
  }
  const data = Buffer.from(
    lines
      .slice(markerIndex + 1)
      .join("")
      .replace(/\s+/g, ""),
    "base64",
  );
  if (data.length < NONCE_BYTES + nacl.secretbox.overheadLength) {
    throw new AuthError("configuration", `rclone config ${file} is encrypted but too short to be valid`);
  }
  const nonce = new Uint8Array(data.subarray(0, NONCE_BYTES));
  const box = new Uint8Array(data.subarray(NONCE_BYTES));
  const opened = nacl.secretbox.open(box, nonce, rcloneConfigKey(password));
  if (!opened) {
    throw new AuthError(
      "configuration",
      `rclone config ${file} could not be decrypted: RCLONE_CONFIG_PASS is not its configuration password`,
    );
  }
  return Buffer.from(opened).toString("utf8");
}

function firstContentLine(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    return line;
  }
  return undefined;
}
