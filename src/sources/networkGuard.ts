/**
 * Decides which IP addresses a `url` source may connect to, and resolves host names through that decision.
 *
 * Why after DNS resolution: a public-looking name can resolve to 127.0.0.1 or to the cloud metadata endpoint
 * (169.254.169.254 on Azure and AWS, fd00:ec2::254 on AWS IPv6). An upload request must never become a way to
 * read the Functions instance's managed-identity endpoint (issue 4). The resolved address is the one the socket
 * connects to ({@link guardedLookup} is given to the TLS connection as its `lookup`), so a DNS answer that changes
 * between the check and the connection (DNS rebinding) cannot bypass the check.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

/** Special-purpose ranges (IANA registries) that must not be reachable from a request's URL by default. */
const PRIVATE_IPV4: readonly [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, includes the metadata endpoint 169.254.169.254
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
];
const PRIVATE_IPV6: readonly [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b::", 96], // NAT64: reaches IPv4 addresses, private ones included
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: embeds an IPv4 address
  ["fc00::", 7], // unique local, includes AWS's metadata endpoint fd00:ec2::254
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
];
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are matched against the IPv4 rules by BlockList itself.

/**
 * Addresses refused even when an allowed network contains them: the instance metadata services and Azure's
 * platform endpoint (168.63.129.16, "WireServer"), which hand out credentials and host configuration.
 */
const METADATA = ["169.254.169.254", "169.254.170.2", "168.63.129.16", "fd00:ec2::254"] as const;

export class BlockedAddressError extends Error {
  constructor(
    readonly host: string,
    readonly reason: "private" | "metadata",
  ) {
    super(
      reason === "metadata"
        ? `${host} resolves to a cloud metadata or platform address, which is never allowed`
        : `${host} resolves to a loopback, private, link-local or reserved address, which is not allowed ` +
            "(URL_SOURCE_ALLOWED_NETWORKS lists networks to allow)",
    );
    this.name = "BlockedAddressError";
  }
}

export interface NetworkPolicy {
  /** Why `address` may not be connected to, or undefined when it may. */
  refusal(address: string): "private" | "metadata" | undefined;
}

export function createNetworkPolicy(allowedNetworks: readonly string[]): NetworkPolicy {
  const blocked = new BlockList();
  for (const [net, prefix] of PRIVATE_IPV4) blocked.addSubnet(net, prefix, "ipv4");
  for (const [net, prefix] of PRIVATE_IPV6) blocked.addSubnet(net, prefix, "ipv6");
  const metadata = new BlockList();
  for (const address of METADATA) metadata.addAddress(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  const allowed = new BlockList();
  for (const cidr of allowedNetworks) {
    const [net = "", prefix = ""] = cidr.split("/");
    allowed.addSubnet(net, Number(prefix), isIP(net) === 6 ? "ipv6" : "ipv4");
  }
  return {
    refusal(address) {
      const family = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (isIP(address) === 0) return "private";
      if (metadata.check(address, family)) return "metadata";
      if (blocked.check(address, family) && !allowed.check(address, family)) return "private";
      return undefined;
    },
  };
}

/** Resolves every address of `host` and refuses the host if any of them is refused. */
export async function resolveAllowed(host: string, policy: NetworkPolicy): Promise<LookupAddress[]> {
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const addresses: LookupAddress[] =
    isIP(literal) !== 0
      ? [{ address: literal, family: isIP(literal) }]
      : await new Promise((resolve, reject) =>
          dnsLookup(literal, { all: true, verbatim: true }, (err, result) =>
            err ? reject(err) : resolve(result),
          ),
        );
  if (addresses.length === 0) throw new Error(`${literal} did not resolve to any address`);
  for (const { address } of addresses) {
    const reason = policy.refusal(address);
    if (reason) throw new BlockedAddressError(literal, reason);
  }
  return addresses;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `net`/`tls` connections that only ever yields allowed addresses: the check and the connection
 * use the same DNS answer. Supports both the single-address and the `all: true` (happy eyeballs) forms.
 */
export function guardedLookup(policy: NetworkPolicy) {
  return (hostname: string, options: { all?: boolean } | number, callback: LookupCallback): void => {
    const all = typeof options === "object" && options.all === true;
    resolveAllowed(hostname, policy).then(
      (addresses) => {
        const first = addresses[0];
        if (all) callback(null, addresses);
        else if (first) callback(null, first.address, first.family);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), all ? [] : ""),
    );
  };
}
