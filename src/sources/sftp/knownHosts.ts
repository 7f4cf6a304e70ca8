/**
 * Host-key pinning for SFTP sources from a known_hosts-format setting (SFTP_KNOWN_HOSTS), the same lines
 * `ssh-keyscan` prints and OpenSSH keeps in ~/.ssh/known_hosts: `host[,host...] key-type base64-key [comment]`,
 * `[host]:port` for a port other than 22, hashed names (`|1|salt|hash`) and `*`/`?` patterns. A connection is
 * only made to a host whose presented key is listed for it: an unknown or changed key refuses the connection
 * with the SHA256 fingerprint the server showed, so an administrator can compare it with the real one.
 */
import { createHash, createHmac } from "node:crypto";

export interface KnownHostEntry {
  /** Host patterns as written (plain, `[host]:port`, wildcard or hashed `|1|salt|hash`), negations removed. */
  readonly patterns: readonly string[];
  readonly negated: readonly string[];
  /** The key type as written, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  readonly keyType: string;
  /** The public key blob (the base64 part, decoded): what the server presents during key exchange. */
  readonly key: Buffer;
  /** `@revoked` lines: a key that must never be accepted for the hosts they name. */
  readonly revoked: boolean;
}

export class KnownHostsSyntaxError extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is not a known_hosts entry ("host key-type base64-key")`);
    this.name = "KnownHostsSyntaxError";
  }
}

/** Parses known_hosts text. `@cert-authority` lines are refused: certificates are not supported. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  // Settings often arrive with literal "\n" (one-line app settings): accept both forms.
  const lines = text.replaceAll("\\n", "\n").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith("@")) {
      if (fields[0] !== "@revoked") throw new KnownHostsSyntaxError(index + 1);
      revoked = true;
      fields.shift();
    }
    const [hosts, keyType, base64] = fields;
    if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64))
      throw new KnownHostsSyntaxError(index + 1);
    const key = Buffer.from(base64, "base64");
    if (key.length < 16 || embeddedKeyType(key) !== keyType) throw new KnownHostsSyntaxError(index + 1);
    const all = hosts.split(",").filter((h) => h !== "");
    entries.push({
      patterns: all.filter((h) => !h.startsWith("!")),
      negated: all.filter((h) => h.startsWith("!")).map((h) => h.slice(1)),
      keyType,
      key,
      revoked,
    });
  });
  return entries;
}

/** The name OpenSSH writes for a host and port: `host` on 22, `[host]:port` otherwise. */
export function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The entries that name this host and port (hashed names included, negations honoured). */
export function entriesFor(entries: readonly KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = hostName(host.toLowerCase(), port);
  return entries.filter(
    (entry) =>
      entry.patterns.some((p) => patternMatches(p, name)) &&
      !entry.negated.some((p) => patternMatches(p, name)),
  );
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` and OpenSSH's own messages print it. */
export function sha256Fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
export function embeddedKeyType(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const length = key.readUInt32BE(0);
  if (length === 0 || length > 64 || key.length < 4 + length) return undefined;
  return key.subarray(4, 4 + length).toString("latin1");
}

export type HostKeyVerdict =
  | { readonly kind: "accepted" }
  | {
      readonly kind: "unknown-host" | "changed" | "revoked";
      readonly fingerprint: string;
      readonly keyType: string;
    };

/** Judges the key a server presented against the pinned entries for its host and port. */
export function judgeHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  presented: Buffer,
): HostKeyVerdict {
  const mine = entriesFor(entries, host, port);
  const refusal = (kind: "unknown-host" | "changed" | "revoked") => ({
    kind,
    fingerprint: sha256Fingerprint(presented),
    keyType: embeddedKeyType(presented) ?? "unknown",
  });
  if (mine.some((e) => e.revoked && e.key.equals(presented))) return refusal("revoked");
  const pinned = mine.filter((e) => !e.revoked);
  if (pinned.length === 0) return refusal("unknown-host");
  return pinned.some((e) => e.key.equals(presented)) ? { kind: "accepted" } : refusal("changed");
}

/** The host-key algorithms to offer first, so the server presents a key of a type that is pinned. */
export function preferredHostKeyAlgorithms(entries: readonly KnownHostEntry[]): string[] {
  const algorithms = new Set<string>();
  for (const entry of entries) {
    if (entry.revoked) continue;
    // An RSA key signs with SHA-2 by default in current OpenSSH; the blob type stays "ssh-rsa".
    if (entry.keyType === "ssh-rsa")
      for (const a of ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]) algorithms.add(a);
    else algorithms.add(entry.keyType);
  }
  return [...algorithms];
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) return hashedMatches(pattern, name);
  const expression = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${expression}$`).test(name);
}

/** OpenSSH's HashKnownHosts form: `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. */
function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split("|");
  if (!salt || !hash) return false;
  const expected = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
  return expected === hash;
}
