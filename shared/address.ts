/**
 * Strict parsing of IP addresses and CIDR ranges, shared by the settings
 * schema, the engine's whitelist and the dashboard's inline validation.
 *
 * Only the canonical textual forms are accepted: dotted-quad IPv4 without
 * leading zeros, RFC 4291 IPv6 without a zone id, and a decimal prefix
 * length. Forms that some parsers read loosely (octal `010.0.0.1`, hex, a
 * bare integer, shortened `127.1`) are rejected rather than guessed at,
 * because two parsers that disagree on an address are a whitelist bypass.
 */
import ipaddr from "ipaddr.js";

export type IpFamily = "ipv4" | "ipv6";

/** A parsed whitelist entry: a single address is a range with a full prefix. */
export interface AddressRange {
  family: IpFamily;
  /** Network address in canonical text form (`192.168.1.0`, `2001:db8::`). */
  network: string;
  prefixLength: number;
  /** Canonical text of the whole entry, as it would be written back. */
  text: string;
}

/**
 * Outcome of a parse. `reason` is a predicate that reads after the input
 * ("is not a valid IP address"), and `hint` is a sentence that gives the
 * fix.
 */
export type ParseResult<T> =
  { ok: true; value: T } | { ok: false; reason: string; hint: string };

const IPV4_PART = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const IPV4_PATTERN = new RegExp(`^${IPV4_PART}(\\.${IPV4_PART}){3}$`);
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;
const PREFIX_PATTERN = /^(0|[1-9][0-9]{0,2})$/;

const ADDRESS_HINT =
  "Write an address such as 192.168.1.20 or 2001:db8::20, or a range such as 192.168.1.0/24.";

/** Returns whether `text` is a dotted-quad IPv4 address in canonical form. */
export function isCanonicalIPv4(text: string): boolean {
  return IPV4_PATTERN.test(text);
}

/**
 * Parses valid IPv6 text, whose last 32 bits may be written as a dotted
 * IPv4 address. ipaddr.js 2.5 reads the IPv4-compatible form `::a.b.c.d` as
 * the IPv4-mapped `::ffff:a.b.c.d`, another address, so a dotted tail is
 * rewritten as two hexadecimal groups before ipaddr.js parses it.
 */
function parseIPv6(text: string): ipaddr.IPv6 {
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (!tail.includes(".")) return ipaddr.IPv6.parse(text);

  const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
  const high = ((a << 8) | b).toString(16);
  const low = ((c << 8) | d).toString(16);
  return ipaddr.IPv6.parse(`${text.slice(0, lastColon + 1)}${high}:${low}`);
}

function isStrictIPv6(text: string): boolean {
  if (!IPV6_CHARS.test(text) || !text.includes(":")) return false;
  if (!ipaddr.IPv6.isValid(text)) return false;

  // An embedded IPv4 tail (::ffff:1.2.3.4) must be canonical too.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  return !tail.includes(".") || isCanonicalIPv4(tail);
}

/**
 * Parses one address, IPv4 or IPv6, without a prefix length. An IPv4-mapped
 * IPv6 address (`::ffff:10.0.0.1`) is returned as the IPv4 address it maps.
 */
export function parseAddress(
  text: string,
): ParseResult<{ family: IpFamily; address: string }> {
  if (text.includes("%")) {
    return {
      ok: false,
      reason: "has a zone id (the part after %), which an entry cannot have",
      hint: "Remove the zone id, for example write fe80::1 instead of fe80::1%eth0.",
    };
  }
  if (isCanonicalIPv4(text)) {
    return { ok: true, value: { family: "ipv4", address: text } };
  }
  if (isStrictIPv6(text)) {
    const parsed = parseIPv6(text);
    if (parsed.isIPv4MappedAddress()) {
      return {
        ok: true,
        value: { family: "ipv4", address: parsed.toIPv4Address().toString() },
      };
    }
    return { ok: true, value: { family: "ipv6", address: parsed.toString() } };
  }
  return {
    ok: false,
    reason: looksLikeLooseIPv4(text)
      ? "is not an IPv4 address in dotted decimal form (four numbers from 0 to 255, without leading zeros)"
      : "is not a valid IP address",
    hint: ADDRESS_HINT,
  };
}

function looksLikeLooseIPv4(text: string): boolean {
  return /^[0-9a-fA-FxX.]+$/.test(text) && !text.includes(":");
}

function splitPrefix(
  text: string,
): ParseResult<{ address: string; prefix?: number }> {
  const slash = text.indexOf("/");
  if (slash === -1) return { ok: true, value: { address: text } };

  const prefixText = text.slice(slash + 1);
  if (!PREFIX_PATTERN.test(prefixText)) {
    return {
      ok: false,
      reason: `has a prefix length "${prefixText}" that is not a decimal number`,
      hint: "Write the prefix length as a plain number, for example /24 or /64.",
    };
  }
  return {
    ok: true,
    value: { address: text.slice(0, slash), prefix: Number(prefixText) },
  };
}

/**
 * Parses a whitelist entry: an address or a CIDR range. A range must be
 * written with its network address (`192.168.1.0/24`, not `192.168.1.7/24`)
 * so that the entry means exactly what it says.
 */
export function parseAddressRange(input: string): ParseResult<AddressRange> {
  const text = input.trim();
  if (text === "") {
    return { ok: false, reason: "is empty", hint: ADDRESS_HINT };
  }

  const split = splitPrefix(text);
  if (!split.ok) return split;
  const address = parseAddress(split.value.address);
  if (!address.ok) return address;

  const { family } = address.value;
  const maxPrefix = family === "ipv4" ? 32 : 128;
  const mappedOffset = family === "ipv4" && split.value.address.includes(":");
  let prefix = split.value.prefix ?? (mappedOffset ? 128 : maxPrefix);
  if (mappedOffset) {
    if (prefix < 96 || prefix > 128) {
      return {
        ok: false,
        reason: `is an IPv4-mapped range, which needs a prefix length from 96 to 128, not ${prefix}`,
        hint: "Write the IPv4 range directly, for example 10.0.0.0/8.",
      };
    }
    prefix -= 96;
  }
  if (prefix > maxPrefix) {
    return {
      ok: false,
      reason: `has a prefix length of ${prefix}, more than the maximum of ${maxPrefix} for ${family === "ipv4" ? "IPv4" : "IPv6"}`,
      hint: `Use a prefix length from 0 to ${maxPrefix}.`,
    };
  }

  const network = networkAddress(address.value.address, prefix);
  if (network !== address.value.address) {
    return {
      ok: false,
      reason: `is not the first address of its /${prefix} range`,
      hint: `Did you mean ${network}/${prefix}? To allow only that one address, write ${address.value.address}.`,
    };
  }
  const canonical =
    prefix === maxPrefix ? network : `${network}/${String(prefix)}`;
  return {
    ok: true,
    value: { family, network, prefixLength: prefix, text: canonical },
  };
}

/** Returns the network address of `address` under a prefix length. */
export function networkAddress(address: string, prefixLength: number): string {
  const parsed = ipaddr.parse(address);
  const bytes = parsed.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const bitsLeft = prefixLength - i * 8;
    const keep =
      bitsLeft >= 8
        ? 0xff
        : bitsLeft <= 0
          ? 0
          : (0xff << (8 - bitsLeft)) & 0xff;
    bytes[i] = (bytes[i] ?? 0) & keep;
  }
  return ipaddr.fromByteArray(bytes).toString();
}
