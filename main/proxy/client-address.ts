/**
 * Client identity: the TCP peer address of the proxy's socket, never a
 * header. `X-Forwarded-For`, `X-Real-IP` and `Forwarded` are set by the
 * client and prove nothing.
 */
import ipaddr from "ipaddr.js";

/** What the engine knows about the peer of a connection. */
export interface ClientIdentity {
  /** Normalised address: IPv4-mapped IPv6 becomes IPv4, zone ids are removed. */
  address: string;
  family: "ipv4" | "ipv6";
  /** Key of the rate limit and lockout tables: the IPv4 address, or the IPv6 /64. */
  key: string;
  /** `127.0.0.1` or `::1` exactly. Other loopback addresses count as remote. */
  local: boolean;
}

const MAPPED_PREFIX = "::ffff:";

/** Derives the identity of a client from the socket's `remoteAddress`. */
export function identifyClient(
  remoteAddress: string | undefined,
): ClientIdentity {
  let address = (remoteAddress ?? "").toLowerCase();
  const zone = address.indexOf("%");
  if (zone !== -1) address = address.slice(0, zone);
  if (address.startsWith(MAPPED_PREFIX) && address.includes(".")) {
    address = address.slice(MAPPED_PREFIX.length);
  }

  if (!address.includes(":")) {
    return {
      address,
      family: "ipv4",
      key: address,
      local: address === "127.0.0.1",
    };
  }
  return {
    address,
    family: "ipv6",
    key: ipv6Prefix64(address),
    local: address === "::1",
  };
}

/** Returns the /64 network of an IPv6 address, such as `2001:db8:0:1::/64`. */
export function ipv6Prefix64(address: string): string {
  if (!ipaddr.IPv6.isValid(address)) return address;
  const parts = ipaddr.IPv6.parse(address).parts.slice(0, 4);
  const network = new ipaddr.IPv6([...parts, 0, 0, 0, 0]);
  return `${network.toString()}/64`;
}
