/**
 * A local HTTPS CONNECT proxy (issues 17 and 18) that lets an unmodified client (rclone, any Go or curl-based
 * tool) talk to the emulator as if it were `graph.microsoft.com`: the client sets HTTPS_PROXY to this proxy and
 * trusts the local CA; a CONNECT to `graph.microsoft.com:443` is tunnelled to the emulator's Graph listener, and
 * a CONNECT to a drive's SharePoint host (where upload URLs point through the proxy) to the upload listener.
 * Both listeners then speak TLS with a leaf certificate that names those hosts (tls/localCa.ts), so TLS is
 * terminated by the emulator itself and the proxy only moves bytes. Loopback clients only; any other host or
 * port is refused (403): the proxy never reaches the internet.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";

export interface ConnectProxyOptions {
  /** Interface to listen on (loopback). */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Public host name (lower case) -> local port it is tunnelled to. */
  readonly routes: ReadonlyMap<string, number>;
  /** Address the local ports listen on. */
  readonly targetHost: string;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`: the value for HTTPS_PROXY. */
  readonly url: string;
  close(): Promise<void>;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || /^(::ffff:)?127\./.test(address);
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** `host:port` of a CONNECT request, or undefined when malformed. */
function connectTarget(req: IncomingMessage): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? "");
  if (!match?.[1] || !match[2]) return undefined;
  return { host: match[1].toLowerCase(), port: Number(match[2]) };
}

export async function startConnectProxy(options: ConnectProxyOptions): Promise<ConnectProxy> {
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server = createServer((req, res) => {
    // Only CONNECT tunnels: plain-HTTP proxying would be a way around the name check.
    res.writeHead(isLoopback(req.socket.remoteAddress) ? 405 : 403, { connection: "close" });
    res.end();
  });
  server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    client.on("error", () => client.destroy());
    if (!isLoopback(req.socket.remoteAddress)) return refuse(client, "403 Forbidden");
    const target = connectTarget(req);
    const port = target?.port === 443 ? options.routes.get(target.host) : undefined;
    if (port === undefined) return refuse(client, "403 Forbidden");
    const upstream: Socket = connect(port, options.targetHost);
    track(upstream);
    upstream.once("connect", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => {
      if (upstream.connecting) refuse(client, "502 Bad Gateway");
      else client.destroy();
    });
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${urlHost}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
