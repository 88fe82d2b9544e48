import { describe, expect, it } from "vitest";

import {
  networkAddress,
  parseAddress,
  parseAddressRange,
  type ParseResult,
} from "../../shared/address.js";

/** Returns the parsed value, or fails the test with the parser's reason. */
function accepted<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.value;
}

/** Returns the parser's reason, or fails the test when the input was accepted. */
function rejectionReason<T>(result: ParseResult<T>): string {
  if (result.ok) throw new Error(`accepted as ${JSON.stringify(result.value)}`);
  return result.reason;
}

describe("parseAddressRange", () => {
  it.each([
    ["192.168.1.20", "192.168.1.20", 32],
    ["192.168.1.0/24", "192.168.1.0/24", 24],
    ["0.0.0.0/0", "0.0.0.0/0", 0],
    ["2001:db8::1", "2001:db8::1", 128],
    ["2001:DB8::/32", "2001:db8::/32", 32],
    ["::ffff:10.0.0.1", "10.0.0.1", 32],
    ["::ffff:10.0.0.0/104", "10.0.0.0/8", 8],
    ["::1", "::1", 128],
  ])("accepts %s as %s", (input, text, prefix) => {
    const range = accepted(parseAddressRange(input));
    expect(range.text).toBe(text);
    expect(range.prefixLength).toBe(prefix);
  });

  it.each([
    ["010.0.0.1", "dotted decimal"],
    ["1.2.3.04", "dotted decimal"],
    ["0x7f.0.0.1", "dotted decimal"],
    ["3232235777", "dotted decimal"],
    ["127.1", "dotted decimal"],
    ["256.1.1.1", "dotted decimal"],
    ["fe80::1%eth0", "zone id"],
    ["1.2.3.4/33", "more than the maximum of 32"],
    ["2001:db8::/129", "more than the maximum of 128"],
    ["1.2.3.0/024", "not a decimal number"],
    ["1.2.3.0/", "not a decimal number"],
    ["1.2.3.4/24", "not the first address"],
    ["::ffff:10.0.0.0/64", "IPv4-mapped range"],
    ["example.com", "not a valid IP address"],
    ["", "empty"],
    ["::ffff:010.0.0.1", "not a valid IP address"],
  ])("rejects %s", (input, reason) => {
    expect(rejectionReason(parseAddressRange(input))).toContain(reason);
  });
});

describe("parseAddress", () => {
  it("maps IPv4-mapped IPv6 to IPv4", () => {
    expect(accepted(parseAddress("::ffff:127.0.0.2"))).toEqual({
      family: "ipv4",
      address: "127.0.0.2",
    });
  });

  it("canonicalises IPv6", () => {
    const parsed = accepted(
      parseAddress("2001:0DB8:0000:0000:0000:0000:0000:0001"),
    );
    expect(parsed.address).toBe("2001:db8::1");
  });
});

describe("networkAddress", () => {
  it("clears host bits", () => {
    expect(networkAddress("192.168.1.77", 24)).toBe("192.168.1.0");
    expect(networkAddress("10.1.2.3", 12)).toBe("10.0.0.0");
    expect(networkAddress("2001:db8:1:2:3:4:5:6", 64)).toBe("2001:db8:1:2::");
  });
});
