/**
 * The whitelist matcher, compiled once per settings change from entries the
 * schema has already validated.
 */
import ipaddr from "ipaddr.js";

import { parseAddressRange } from "../../shared/address.js";
import type { ClientIdentity } from "./client-address.js";

/** Tells whether a client address is covered by a whitelist entry. */
export interface WhitelistMatcher {
  matches(client: ClientIdentity): boolean;
}

/**
 * Compiles whitelist entries into a matcher. Throws on an invalid entry:
 * the settings schema rejects those first, so reaching one is a bug.
 */
export function compileWhitelist(entries: readonly string[]): WhitelistMatcher {
  const exact = new Set<string>();
  const ranges: {
    family: "ipv4" | "ipv6";
    range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  }[] = [];

  for (const entry of entries) {
    const parsed = parseAddressRange(entry);
    if (!parsed.ok)
      throw new Error(
        `Invalid whitelist entry ${JSON.stringify(entry)}: ${parsed.reason}`,
      );
    const { family, network, prefixLength } = parsed.value;
    const full = family === "ipv4" ? 32 : 128;
    if (prefixLength === full) exact.add(network);
    else ranges.push({ family, range: [ipaddr.parse(network), prefixLength] });
  }

  return {
    matches(client) {
      if (exact.has(client.address)) return true;
      // An identity without a valid address matches no range, and must not
      // throw: this runs in socket event handlers.
      if (ranges.length === 0 || !ipaddr.isValid(client.address)) return false;
      const address = ipaddr.parse(client.address);
      return ranges.some(
        (entry) => entry.family === client.family && address.match(entry.range),
      );
    },
  };
}
