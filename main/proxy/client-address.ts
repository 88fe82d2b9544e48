/**
 * Client identity: the TCP peer address of the proxy's socket, never a
 * header. `X-Forwarded-For`, `X-Real-IP` and `Forwarded` are set by the
 * client and prove nothing.
 */
import ipaddr from "ipaddr.js";

import { parseAddress } from "../../shared/address.js";

/** Identity of the peer of a connection. */
export interface ClientIdentity {
  /**
   * Canonical address, written as the whitelist writes its entries:
   * IPv4-mapped IPv6 becomes IPv4, zone ids are removed, IPv6 is compressed.
   * `unknown` when the socket had no valid peer address.
   */
  address: string;
  family: "ipv4" | "ipv6";
  /** Key of the rate limit and lockout tables: the IPv4 address, or the IPv6 /64. */
  key: string;
  /** `127.0.0.1` or `::1` exactly. Other loopback addresses count as remote. */
  local: boolean;
}

/** The identity of a peer whose address is missing or invalid. */
const UNKNOWN_CLIENT: ClientIdentity = {
  address: "unknown",
  family: "ipv4",
  key: "unknown",
  local: false,
};

/**
 * Derives the identity of a client from the socket's `remoteAddress`.
 * The address goes through the parser of the whitelist entries, so that an
 * address and an entry for it are the same text however each was written.
 */
export function identifyClient(
  remoteAddress: string | undefined,
): ClientIdentity {
  const text = remoteAddress ?? "";
  const zone = text.indexOf("%");
  const parsed = parseAddress(zone === -1 ? text : text.slice(0, zone));
  if (!parsed.ok) return UNKNOWN_CLIENT;

  const { family, address } = parsed.value;
  if (family === "ipv4") {
    return { address, family, key: address, local: address === "127.0.0.1" };
  }
  return {
    address,
    family,
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
