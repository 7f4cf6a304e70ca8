/**
 * A file on an SSH server, read over SFTP one range at a time: only [offset, offset + length) crosses the network,
 * so a resumed upload reads only what the server is still missing. Fingerprint = size + mtime, checked on the
 * open handle before every read, as the local file source does (docs/design.md invariant 1). SFTP (protocol version 3,
 * what OpenSSH speaks) gives mtime in whole seconds: a rewrite to the same size within the same second is not
 * noticed, as with rsync's quick check; the final QuickXorHash comparison still catches a mixed upload.
 */
import type { SFTPWrapper, Stats } from "ssh2";
import { type ByteSource, SourceChangedError, type SourceFingerprint } from "../../core/ports/common.js";
import { readBuffer } from "../readBuffer.js";
import type { SftpEndpoint } from "./connect.js";
import { hostName } from "./knownHosts.js";
import type { SftpPool } from "./pool.js";

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7). */
const NO_SUCH_FILE = 2;

export interface SftpFileRef extends SftpEndpoint {
  readonly path: string;
}

export function describeSftp(ref: SftpFileRef): string {
  return `sftp://${ref.username}@${hostName(ref.host, ref.port)}${ref.path}`;
}

export class SftpSource implements ByteSource {
  readonly description: string;

  constructor(
    private readonly ref: SftpFileRef,
    private readonly pool: SftpPool,
  ) {
    this.description = describeSftp(ref);
  }

  async fingerprint(signal?: AbortSignal): Promise<SourceFingerprint> {
    const stats = await this.pool.use(
      this.ref,
      (sftp) => call<Stats>((cb) => sftp.stat(this.ref.path, cb)),
      signal,
    );
    if (!stats.isFile()) throw new Error(`${this.description} is not a regular file`);
    return sftpFingerprint(stats);
  }

  async read(
    offset: number,
    length: number,
    expected: SourceFingerprint,
    signal?: AbortSignal,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const buffer = readBuffer(into, length);
    return this.pool.use(
      this.ref,
      async (sftp) => {
        let handle: Buffer;
        try {
          handle = await call<Buffer>((cb) => sftp.open(this.ref.path, "r", cb));
        } catch (err: unknown) {
          if (statusOf(err) === NO_SUCH_FILE)
            throw new SourceChangedError(this.description, expected, undefined);
          throw err;
        }
        try {
          const actual = sftpFingerprint(await call<Stats>((cb) => sftp.fstat(handle, cb)));
          if (actual.size !== expected.size || actual.version !== expected.version)
            throw new SourceChangedError(this.description, expected, actual);
          await readFully(sftp, handle, buffer, offset, () => {
            throw new SourceChangedError(this.description, expected, undefined);
          });
          return buffer;
        } finally {
          await call<void>((cb) => sftp.close(handle, cb)).catch(() => undefined);
        }
      },
      signal,
    );
  }
}

/** Size plus mtime in seconds, as the server reports them (the mirror lister records the same). */
export function sftpFingerprint(stats: { size: number; mtime: number }): SourceFingerprint {
  return { size: stats.size, version: `mtime:${stats.mtime}` };
}

/** Reads until `buffer` is full; SFTP servers may answer a read with fewer bytes than asked (OpenSSH: 255 KiB). */
async function readFully(
  sftp: SFTPWrapper,
  handle: Buffer,
  buffer: Buffer,
  position: number,
  onEnd: () => never,
): Promise<void> {
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = await new Promise<number>((resolve, reject) =>
      sftp.read(handle, buffer, filled, buffer.length - filled, position + filled, (err, n) =>
        err ? reject(err) : resolve(n),
      ),
    );
    if (bytesRead === 0) onEnd();
    filled += bytesRead;
  }
}

function statusOf(err: unknown): number | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "number" ? err.code : undefined;
}

/** Adapts ssh2's callback style; the error is passed through unchanged (its code says what happened). */
export function call<T>(
  start: (callback: (err: Error | undefined | null, value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}
