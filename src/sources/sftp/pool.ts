/**
 * A small pool of SFTP connections, one group per server and user (host, port, username), each group bounded by
 * SFTP_MAX_CONNECTIONS: many jobs reading from one server share a few connections instead of opening one per
 * chunk (sshd's MaxStartups refuses bursts of new connections). A caller beyond the bound waits for a connection
 * to come back. An unused connection is closed after SFTP_IDLE_SECONDS; while idle its socket is unref'd, so it
 * never holds a finished process open.
 */
import type { SFTPWrapper } from "ssh2";
import type { SftpConfig } from "../../config/sftp.js";
import { openSftpConnection, type SftpConnection, type SftpEndpoint } from "./connect.js";

interface PooledConnection extends SftpConnection {
  idleTimer?: NodeJS.Timeout;
  closed: boolean;
}

interface Waiter {
  readonly resolve: (connection: PooledConnection) => void;
  readonly reject: (err: unknown) => void;
}

interface Group {
  readonly endpoint: SftpEndpoint;
  readonly idle: PooledConnection[];
  readonly busy: Set<PooledConnection>;
  opening: number;
  readonly waiters: Waiter[];
}

export interface PoolCounts {
  readonly open: number;
  readonly busy: number;
  readonly waiting: number;
  /** The most connections this group ever held at once (for tests and diagnostics). */
  readonly peak: number;
}

/** SFTP status errors (no such file, permission denied) leave the connection usable; anything else may not. */
export function isSftpStatusError(err: unknown): boolean {
  return err instanceof Error && "code" in err && typeof err.code === "number";
}

export type OpenConnection = (endpoint: SftpEndpoint, config: SftpConfig) => Promise<SftpConnection>;

export class SftpPool {
  private readonly groups = new Map<string, Group>();
  private readonly peaks = new Map<string, number>();

  constructor(
    readonly config: SftpConfig,
    private readonly open: OpenConnection = openSftpConnection,
  ) {}

  /** Runs `work` on a pooled SFTP channel; a connection-level failure closes that connection. */
  async use<T>(
    endpoint: SftpEndpoint,
    work: (sftp: SFTPWrapper) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const connection = await this.acquire(endpoint, signal);
    try {
      const result = await work(connection.sftp);
      this.release(endpoint, connection, false);
      return result;
    } catch (err: unknown) {
      this.release(endpoint, connection, !isSftpStatusError(err));
      throw err;
    }
  }

  counts(endpoint: SftpEndpoint): PoolCounts {
    const group = this.groups.get(keyOf(endpoint));
    const peak = this.peaks.get(keyOf(endpoint)) ?? 0;
    if (!group) return { open: 0, busy: 0, waiting: 0, peak };
    return {
      open: group.idle.length + group.busy.size,
      busy: group.busy.size,
      waiting: group.waiters.length,
      peak,
    };
  }

  /** Closes every connection; waiting callers are refused. */
  async close(): Promise<void> {
    for (const group of this.groups.values()) {
      for (const waiter of group.waiters.splice(0)) waiter.reject(new Error("the SFTP pool was closed"));
      for (const connection of [...group.idle, ...group.busy]) this.destroy(connection);
      group.idle.length = 0;
      group.busy.clear();
    }
    this.groups.clear();
  }

  private async acquire(endpoint: SftpEndpoint, signal?: AbortSignal): Promise<PooledConnection> {
    signal?.throwIfAborted();
    const group = this.groupOf(endpoint);
    for (let idle = group.idle.pop(); idle; idle = group.idle.pop()) {
      if (idle.closed) continue;
      return this.markBusy(group, idle);
    }
    if (group.idle.length + group.busy.size + group.opening < this.config.maxConnections)
      return this.markBusy(group, await this.openFor(group));
    return new Promise<PooledConnection>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (connection) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(connection);
        },
        reject,
      };
      const onAbort = () => {
        const index = group.waiters.indexOf(waiter);
        if (index >= 0) group.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      group.waiters.push(waiter);
    });
  }

  private release(endpoint: SftpEndpoint, connection: PooledConnection, broken: boolean): void {
    const group = this.groupOf(endpoint);
    group.busy.delete(connection);
    if (broken || connection.closed) {
      this.destroy(connection);
      this.serveWaiterWithNewConnection(group);
      return;
    }
    const waiter = group.waiters.shift();
    if (waiter) {
      group.busy.add(connection);
      waiter.resolve(connection);
      return;
    }
    connection.socket.unref();
    connection.idleTimer = setTimeout(() => {
      const index = group.idle.indexOf(connection);
      if (index >= 0) group.idle.splice(index, 1);
      this.destroy(connection);
    }, this.config.idleMs);
    connection.idleTimer.unref();
    group.idle.push(connection);
  }

  private serveWaiterWithNewConnection(group: Group): void {
    const waiter = group.waiters.shift();
    if (!waiter) return;
    this.openFor(group).then(
      (connection) => waiter.resolve(this.markBusy(group, connection)),
      (err: unknown) => waiter.reject(err),
    );
  }

  private async openFor(group: Group): Promise<PooledConnection> {
    group.opening++;
    try {
      const opened = await this.open(group.endpoint, this.config);
      const connection: PooledConnection = { ...opened, closed: false };
      // The server (or the network) may drop an idle connection: forget it so nobody is handed a dead one.
      opened.client.on("close", () => {
        connection.closed = true;
        const index = group.idle.indexOf(connection);
        if (index >= 0) group.idle.splice(index, 1);
        if (connection.idleTimer) clearTimeout(connection.idleTimer);
      });
      return connection;
    } finally {
      group.opening--;
    }
  }

  private markBusy(group: Group, connection: PooledConnection): PooledConnection {
    if (connection.idleTimer) clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    connection.socket.ref();
    group.busy.add(connection);
    const key = keyOf(group.endpoint);
    const open = group.idle.length + group.busy.size;
    this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, open));
    return connection;
  }

  private destroy(connection: PooledConnection): void {
    if (connection.idleTimer) clearTimeout(connection.idleTimer);
    connection.closed = true;
    connection.client.end();
    connection.socket.destroy();
  }

  private groupOf(endpoint: SftpEndpoint): Group {
    const key = keyOf(endpoint);
    let group = this.groups.get(key);
    if (!group) {
      group = { endpoint, idle: [], busy: new Set(), opening: 0, waiters: [] };
      this.groups.set(key, group);
    }
    return group;
  }
}

function keyOf(endpoint: SftpEndpoint): string {
  return `${endpoint.username}@${endpoint.host.toLowerCase()}:${endpoint.port}`;
}
