/* eslint-disable no-control-regex -- the models match control characters on purpose. */
import { BlockList, isIP } from "node:net";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  parseBasicAuthorization,
  type AuthorizationParse,
} from "../../main/proxy/basic-auth.js";
import { parseLegacyCommand } from "../../main/proxy/classify/legacy-api.js";
import { identifyClient } from "../../main/proxy/client-address.js";
import { compileWhitelist } from "../../main/proxy/whitelist.js";
import { parseAddress, parseAddressRange } from "../../shared/address.js";

const RUNS = { numRuns: 3000 };

// Canonical, padded base64 (RFC 4648, section 4), at least one quantum.
const BASE64_TOKEN =
  /^(?:[A-Za-z0-9+/]{4})+$|^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/;

// Reference model of RFC 7617 Basic credentials, written independently of
// the engine: atob/btoa for base64, a fatal decoder that keeps a BOM.
function referenceAuthorization(
  values: readonly string[] | undefined,
): AuthorizationParse {
  if (values === undefined || values.length === 0) return { kind: "missing" };
  if (values.length > 1) return { kind: "malformed", reason: "", status: 400 };
  const bad: AuthorizationParse = {
    kind: "malformed",
    reason: "",
    status: 401,
  };

  const match = /^basic +([^ ].*|)$/i.exec(values[0] ?? "");
  const token = match?.[1] ?? "";
  if (!BASE64_TOKEN.test(token)) return bad;
  const binary = atob(token);
  if (btoa(binary) !== token) return bad;

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    );
  } catch {
    return bad;
  }

  const colon = text.indexOf(":");
  if (colon === -1 || /[\u0000-\u001f\u007f]/.test(text)) return bad;
  const password = text.slice(colon + 1);
  if (password === "") return bad;
  return { kind: "credentials", username: text.slice(0, colon), password };
}

function summary(parse: AuthorizationParse): unknown {
  return parse.kind === "malformed"
    ? { kind: parse.kind, status: parse.status }
    : parse;
}

const base64Text = fc.string({
  unit: fc.constantFrom(
    ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ :",
  ),
  maxLength: 24,
});
// A leading byte order mark is one of the aliases the model must reject.
const credentialText = fc
  .tuple(
    fc.constantFrom("", "\ufeff"),
    fc.string({ unit: "binary", maxLength: 16 }),
  )
  .map((parts) => parts.join(""));
const authorizationValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc
      .integer({ min: 0, max: 255 })
      .map((code) => String.fromCharCode(code)),
    maxLength: 40,
  }),
  fc
    .tuple(
      fc.constantFrom("Basic", "basic", "BASIC", "Bearer", "Basi", ""),
      fc.constantFrom(" ", "  ", "\t", ""),
      fc.oneof(
        base64Text,
        fc
          .tuple(credentialText, fc.constantFrom(":", ""), credentialText)
          .map((parts) =>
            Buffer.from(parts.join(""), "utf8").toString("base64"),
          ),
        fc
          .uint8Array({ maxLength: 12 })
          .map((bytes) => Buffer.from(bytes).toString("base64")),
      ),
    )
    .map((parts) => parts.join("")),
);

describe("Authorization parser fuzzing", () => {
  it("never throws and agrees with the model", () => {
    fc.assert(
      fc.property(
        fc.option(fc.array(authorizationValue, { maxLength: 3 }), {
          nil: undefined,
        }),
        (values) => {
          const parsed = parseBasicAuthorization(values);
          expect(summary(parsed)).toEqual(
            summary(referenceAuthorization(values)),
          );
        },
      ),
      RUNS,
    );
  });

  it("round-trips valid credentials", () => {
    const username = fc
      .string({ unit: "binary", maxLength: 20 })
      .filter((text) => !/[:\u0000-\u001f\u007f]/.test(text));
    const password = fc
      .string({ unit: "binary", minLength: 1, maxLength: 20 })
      .filter((text) => !/[\u0000-\u001f\u007f]/.test(text));
    fc.assert(
      fc.property(username, password, (user, pass) => {
        const token = Buffer.from(`${user}:${pass}`, "utf8").toString("base64");
        expect(parseBasicAuthorization([`Basic ${token}`])).toEqual({
          kind: "credentials",
          username: user,
          password: pass,
        });
      }),
      RUNS,
    );
  });
});

const octet = fc.nat(255);
const ipv4 = fc
  .tuple(octet, octet, octet, octet)
  .map((parts) => parts.join("."));
const group = fc.nat(0xffff).map((value) => value.toString(16));
const groups = fc.array(group, { minLength: 8, maxLength: 8 });
const ipv6 = fc.oneof(
  groups.map((parts) => parts.join(":")),
  groups.map((parts) => parts.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")),
  fc.tuple(group, group).map(([a, b]) => `2001:db8::${a}:${b}`),
  ipv4.map((address) => `::ffff:${address}`),
  ipv4.map((address) => `::${address}`),
  fc.tuple(group, group).map(([a, b]) => `::ffff:${a}:${b}`),
  fc.constantFrom("::", "::1", "fe80::1%eth0"),
);
const peer = fc.oneof(ipv4, ipv6);
const addressLike = fc.oneof(
  peer,
  fc.string({
    unit: fc.constantFrom(..."0123456789abcdefABCDEFx:.%/ "),
    maxLength: 24,
  }),
);

/** Returns the IPv4 address that an IPv4-mapped IPv6 peer maps, or the peer itself. */
function unmapped(address: string): {
  address: string;
  family: "ipv4" | "ipv6";
} {
  const text = address.split("%")[0] ?? "";
  if (isIP(text) === 4) return { address: text, family: "ipv4" };
  const words = new BlockList();
  words.addSubnet("::ffff:0:0", 96, "ipv6");
  if (!words.check(text, "ipv6")) return { address: text, family: "ipv6" };
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".")) return { address: tail, family: "ipv4" };
  const [high = 0, low = 0] = text
    .split(":")
    .slice(-2)
    .map((part) => parseInt(part, 16));
  const bytes = [high >> 8, high & 0xff, low >> 8, low & 0xff];
  return { address: bytes.join("."), family: "ipv4" };
}

describe("address matcher fuzzing", () => {
  it("parser agrees with net.isIP", () => {
    fc.assert(
      fc.property(addressLike, (text) => {
        const expected = isIP(text) !== 0 && !text.includes("%");
        expect(parseAddress(text).ok).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it("matcher agrees with net.BlockList", () => {
    const entry = fc.tuple(peer, fc.nat(128)).map(([address, prefix]) => {
      const range = parseAddressRange(`${address}/${prefix}`);
      return range.ok ? range.value.text : address;
    });
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 4 }),
        peer,
        (entries, client) => {
          const valid = entries.filter((text) => parseAddressRange(text).ok);
          const matcher = compileWhitelist(valid);
          // An IPv6 range covers IPv6 clients only, and an IPv4 range (also
          // when written IPv4-mapped) IPv4 clients only.
          const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
          for (const text of valid) {
            const range = parseAddressRange(text);
            if (!range.ok) continue;
            const { family, network, prefixLength } = range.value;
            lists[family].addSubnet(network, prefixLength, family);
          }
          const target = unmapped(client);
          const expected = lists[target.family].check(
            target.address,
            target.family,
          );
          expect(matcher.matches(identifyClient(client))).toBe(expected);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("identity never throws", () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        (text) => {
          const client = identifyClient(text);
          expect(
            compileWhitelist(["10.0.0.0/8", "::/0"]).matches(client),
          ).toBeTypeOf("boolean");
        },
      ),
      RUNS,
    );
  });
});

// Pools for bodies built from members, with the raw key text as written.
const KEYS = [
  '"command"',
  '"Command"',
  '"COMMAND"',
  '"comm\\u0061nd"',
  '"\\u0063ommand"',
  '"c\u00f6mmand"',
  '"c\\u00f6mmand"',
  '"addresses"',
  '"x"',
  '"X"',
];
const VALUES = [
  '"getNodeInfo"',
  '"attachToTangle"',
  '"get\\u004eodeInfo"',
  '"get NodeInfo"',
  '""',
  "1",
  "null",
  "true",
  '["getNodeInfo"]',
  '{"command":"attachToTangle"}',
  '"x\\"y"',
];
const SPACE = fc.constantFrom("", " ", "\n", "\t ");

// Reference model: reject anything two JSON readers could read differently.
function referenceCommand(members: [string, string][]): string | undefined {
  const seen = new Set<string>();
  let command: string | undefined;
  for (const [rawKey, rawValue] of members) {
    if (/[^\u0020-\u007e]/.test(rawKey)) return undefined;
    const key = (JSON.parse(rawKey) as string).toLowerCase();
    if (seen.has(key)) return undefined;
    seen.add(key);
    if (key !== "command") continue;
    if (rawKey !== '"command"') return undefined;
    if (!/^"[A-Za-z][A-Za-z0-9]{0,63}"$/.test(rawValue)) return undefined;
    command = rawValue.slice(1, -1);
  }
  return command;
}

/** Returns the command as a case-insensitive, last-key-wins reader reads it. */
function lastCommandKey(text: string): unknown {
  const value = JSON.parse(text) as Record<string, unknown>;
  const keys = Object.keys(value).filter(
    (key) => key.toLowerCase() === "command",
  );
  return keys.length === 0 ? undefined : value[keys[keys.length - 1] as string];
}

describe("command parser fuzzing", () => {
  it("never throws on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(parseLegacyCommand(bytes).ok).toBeTypeOf("boolean");
      }),
      RUNS,
    );
  });

  it("agrees with the model on built bodies", () => {
    const member = fc.tuple(
      fc.constantFrom(...KEYS),
      fc.constantFrom(...VALUES),
    );
    fc.assert(
      fc.property(
        fc.array(member, { maxLength: 4 }),
        SPACE,
        SPACE,
        (members, a, b) => {
          const text = `${a}{${members.map(([key, value]) => `${b}${key}${a}:${b}${value}`).join(",")}}${b}`;
          const parsed = parseLegacyCommand(Buffer.from(text, "utf8"));
          const expected = referenceCommand(members);
          expect(parsed.ok ? parsed.command : undefined).toBe(expected);
          if (parsed.ok) expect(lastCommandKey(text)).toBe(parsed.command);
        },
      ),
      RUNS,
    );
  });

  it("accepted JSON has one command that every reader sees", () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc
        .dictionary(
          fc.string({ maxLength: 8 }),
          fc.jsonValue({ maxDepth: 3 }),
          { maxKeys: 4 },
        )
        .chain((object) =>
          fc
            .constantFrom("getNodeInfo", "attachToTangle", "Command", "x y")
            .map((command) => JSON.stringify({ ...object, command })),
        ),
    );
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseLegacyCommand(Buffer.from(text, "utf8"));
        if (!parsed.ok) return;
        expect(JSON.parse(text).command).toBe(parsed.command);
        expect(lastCommandKey(text)).toBe(parsed.command);
      }),
      RUNS,
    );
  });
});
