/**
 * Lists an `sftp` source: every regular file under a folder on an SSH server, recursively, through the shared
 * connection pool. A symlink to a file is listed (its target's size and mtime, as the engine's reads will see
 * them); a symlink to a folder is not followed, so a link cycle cannot make the walk endless. Each entry's
 * fingerprint is the one the engine's SFTP source checks on every read (size + mtime, docs/design.md invariant 1).
 */
import path from "node:path/posix";
import type { SourceEntry, SourceLister, SourceListing } from "../../core/ports/mirror.js";
import type { SftpEndpoint } from "../../sources/sftp/connect.js";
import type { SftpPool } from "../../sources/sftp/pool.js";
import { call, describeSftp, sftpFingerprint } from "../../sources/sftp/sftpSource.js";

const TYPE_MASK = 0o170000;
const REGULAR = 0o100000;
const DIRECTORY = 0o040000;
const SYMLINK = 0o120000;

interface Attributes {
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
}

export class SftpLister implements SourceLister {
  readonly description: string;

  constructor(
    private readonly endpoint: SftpEndpoint,
    private readonly folder: string,
    private readonly pool: SftpPool,
    private readonly accept: (relativePath: string) => boolean = () => true,
  ) {
    this.description = describeSftp({ ...endpoint, path: folder });
  }

  async list(signal: AbortSignal): Promise<SourceListing> {
    const { host, port, username } = this.endpoint;
    const entries: SourceEntry[] = [];
    const errors: string[] = [];
    const walk = async (folder: string, relative: string): Promise<void> => {
      signal.throwIfAborted();
      const listing = await this.pool.use(
        this.endpoint,
        (sftp) => call<{ filename: string; attrs: Attributes }[]>((cb) => sftp.readdir(folder, cb)),
        signal,
      );
      for (const { filename, attrs } of listing) {
        if (filename === "." || filename === "..") continue;
        const full = path.join(folder, filename);
        const childRelative = relative ? `${relative}/${filename}` : filename;
        let type = attrs.mode & TYPE_MASK;
        let target: Attributes = attrs;
        if (type === SYMLINK) {
          try {
            target = await this.pool.use(this.endpoint, (sftp) =>
              call<Attributes>((cb) => sftp.stat(full, cb)),
            );
          } catch {
            continue; // a dangling link is not part of the source
          }
          type = (target.mode & TYPE_MASK) === REGULAR ? REGULAR : SYMLINK;
        }
        if (type === DIRECTORY) await walk(full, childRelative);
        else if (type === REGULAR && this.accept(childRelative))
          entries.push({
            path: childRelative,
            ref: { type: "sftp", host, port, username, path: full },
            fingerprint: sftpFingerprint(target),
          });
      }
    };
    try {
      await walk(this.folder, "");
    } catch (err: unknown) {
      if (signal.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${this.description}: ${message}`);
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries, errors };
  }
}
