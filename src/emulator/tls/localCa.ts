/**
 * A throwaway local certificate authority for the emulator's HTTPS mode (issue 18). Created once per folder and
 * kept there, so a client that trusts it once (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE) keeps trusting the emulator
 * across restarts; the leaf certificate is issued fresh in memory at every start and never written down.
 *
 * Files (owned by the emulator): `ca.pem` (the CA certificate, what clients trust) and `ca-key.pem` (the CA's
 * private key followed by its certificate, mode 0600). Keys are never logged.
 */
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { generate } from "selfsigned";

export interface LocalCa {
  /** The CA certificate (PEM): what clients add to their trust store. */
  readonly certPem: string;
  /** Where `certPem` is stored: the value for NODE_EXTRA_CA_CERTS / SSL_CERT_FILE. */
  readonly certPath: string;
  readonly keyPem: string;
}

export interface LeafCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export const CA_CERT_FILE = "ca.pem";
const CA_KEY_FILE = "ca-key.pem";
const DAY_MS = 86_400_000;
const KEY_BLOCK = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\s*/;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*/;

async function readKeyFile(file: string): Promise<{ keyPem: string; certPem: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err: unknown) {
    if (err instanceof Error && "code" in err && err.code === "ENOENT") return undefined;
    throw err;
  }
  const key = KEY_BLOCK.exec(text)?.[0];
  const cert = CERT_BLOCK.exec(text)?.[0];
  // Never echo the file: it holds the key.
  if (!key || !cert) throw new Error(`${file} is damaged: delete the folder to create a new local CA`);
  return { keyPem: key, certPem: cert };
}

async function generateCa(): Promise<{ keyPem: string; certPem: string }> {
  const now = Date.now();
  const ca = await generate([{ name: "commonName", value: "graph-mirror emulator local CA (throwaway)" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + 10 * 365 * DAY_MS),
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { keyPem: ca.private, certPem: ca.cert };
}

/**
 * The CA kept in `dir`, created on first use. Safe against two emulators starting at once on the same folder:
 * the key file is published with link(2), which fails if another process won, and then the winner's CA is used.
 */
export async function loadOrCreateCa(dir: string): Promise<LocalCa> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dir, CA_KEY_FILE);
  let found = await readKeyFile(keyFile);
  if (!found) {
    const made = await generateCa();
    const temp = path.join(dir, `.ca-key-${randomUUID()}.tmp`);
    await writeFile(temp, `${made.keyPem}${made.certPem}`, { mode: 0o600 });
    try {
      await link(temp, keyFile);
    } catch (err: unknown) {
      if (!(err instanceof Error && "code" in err && err.code === "EEXIST")) throw err;
    } finally {
      await unlink(temp);
    }
    found = await readKeyFile(keyFile);
    if (!found) throw new Error(`${keyFile} vanished while the local CA was being created`);
  }
  // Rewritten at every start (same content), atomically, so a client never reads half a file.
  const certPath = path.join(dir, CA_CERT_FILE);
  const tempCert = path.join(dir, `.ca-${randomUUID()}.tmp`);
  await writeFile(tempCert, found.certPem, { mode: 0o644 });
  await rename(tempCert, certPath);
  return { certPem: found.certPem, certPath, keyPem: found.keyPem };
}

function altName(name: string): { type: 2; value: string } | { type: 7; ip: string } {
  return /^[\d.]+$/.test(name) || name.includes(":") ? { type: 7, ip: name } : { type: 2, value: name };
}

/** A server certificate for `names` (DNS names or IP addresses), signed by `ca`, valid for a year. */
export async function issueLeaf(ca: LocalCa, names: readonly string[]): Promise<LeafCertificate> {
  const [first = "localhost"] = names;
  const now = Date.now();
  const leaf = await generate([{ name: "commonName", value: first }], {
    keyType: "ec",
    algorithm: "sha256",
    // A day back: a client whose clock is a little behind still accepts it.
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + 365 * DAY_MS),
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...new Set(names)].map(altName) },
    ],
  });
  return { certPem: leaf.cert, keyPem: leaf.private };
}
