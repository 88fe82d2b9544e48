import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createPasswordRecord } from "../../main/proxy/passwords.js";
import {
  HORNET_AUTH,
  send,
  startProxy,
  type ProxyFixture,
} from "../support/http.js";
import { exchange } from "../support/raw-http.js";

const GOOD = b64("admin:iota");

function b64(text: string | Buffer): string {
  return Buffer.from(text).toString("base64");
}

/** Builds a GET of an allowed route with the given raw `Authorization` lines. */
function withAuthorization(...values: (string | Buffer)[]): Buffer {
  const lines = values.map((value) =>
    Buffer.concat([Buffer.from("Authorization: "), Buffer.from(value), CRLF]),
  );
  return Buffer.concat([
    Buffer.from("GET /api/v1/info HTTP/1.1\r\nHost: node-shield.test\r\n"),
    ...lines,
    CRLF,
  ]);
}
const CRLF = Buffer.from("\r\n");

const SETTINGS = {
  basicAuth: HORNET_AUTH,
  whitelist: { enabled: false },
  rateLimit: { enabled: false },
  lockout: { enabled: false },
};

// Each case: a name, the header value(s) and the status the engine must give.
const REJECTED: [string, (string | Buffer)[], number][] = [
  ["wrong password, lower-case scheme", [`basic ${b64("admin:iotb")}`], 401],
  ["wrong password, upper-case scheme", [`BASIC ${b64("admin:x")}`], 401],
  ["tab after the scheme", [`Basic\t${GOOD}`], 401],
  ["missing padding", [`Basic ${GOOD.replace(/=+$/, "")}`], 401],
  ["extra padding", [`Basic ${GOOD}=`], 401],
  ["padding only", ["Basic ===="], 401],
  ["non-canonical last character", [`Basic ${GOOD.slice(0, -3)}R==`], 401],
  ["characters outside base64", [`Basic ${GOOD.slice(0, -2)}*!`], 401],
  [
    "base64 with inner spaces",
    [`Basic ${GOOD.slice(0, 4)} ${GOOD.slice(4)}`],
    401,
  ],
  [
    "URL-safe alphabet",
    [`Basic ${b64("admin:io?>").replace(/\+/g, "-").replace(/\//g, "_")}`],
    401,
  ],
  ["unencoded user:pass", ["Basic admin:iota"], 401],
  ["credentials without a scheme", [GOOD], 401],
  ["another scheme", [`Bearer ${GOOD}`], 401],
  ["Digest scheme", ['Digest username="admin"'], 401],
  ["empty value", [""], 401],
  ["scheme only", ["Basic"], 401],
  ["empty username and password", [`Basic ${b64(":")}`], 401],
  ["empty password", [`Basic ${b64("admin:")}`], 401],
  ["empty username", [`Basic ${b64(":iota")}`], 401],
  ["no colon", [`Basic ${b64("adminiota")}`], 401],
  ["two credentials in one header", [`Basic ${GOOD}, Basic ${GOOD}`], 401],
  ["trailing token", [`Basic ${GOOD} extra`], 401],
  ["two Authorization headers", [`Basic ${GOOD}`, `Basic ${GOOD}`], 400],
  ["a good and a bad header", [`Basic ${GOOD}`, "Basic AAAA"], 400],
  [
    "non-UTF-8 bytes in the header",
    [Buffer.from([0x42, 0x61, 0x73, 0x69, 0x63, 0x20, 0xff, 0xfe])],
    401,
  ],
  [
    "non-UTF-8 bytes in the password",
    [
      `Basic ${b64(Buffer.from([0x61, 0x64, 0x6d, 0x69, 0x6e, 0x3a, 0xc3, 0x28]))}`,
    ],
    401,
  ],
  ["NUL in the password", [`Basic ${b64("admin:iota\u0000")}`], 401],
  ["newline in the username", [`Basic ${b64("ad\nmin:iota")}`], 401],
  [
    "byte order mark before the username",
    [`Basic ${b64("\ufeffadmin:iota")}`],
    401,
  ],
  ["password one character short", [`Basic ${b64("admin:iot")}`], 401],
  ["password one character long", [`Basic ${b64("admin:iotaa")}`], 401],
  ["password with a trailing space", [`Basic ${b64("admin:iota ")}`], 401],
  ["username one character short", [`Basic ${b64("admi:iota")}`], 401],
  ["username one character long", [`Basic ${b64("adminn:iota")}`], 401],
  ["username in upper case", [`Basic ${b64("ADMIN:iota")}`], 401],
  ["10 kB password", [`Basic ${b64(`admin:${"x".repeat(10_000)}`)}`], 401],
  ["5 kB username", [`Basic ${b64(`${"a".repeat(5000)}:iota`)}`], 401],
];

const ACCEPTED: [string, string][] = [
  ["lower-case scheme", `basic ${GOOD}`],
  ["upper-case scheme", `BASIC ${GOOD}`],
  ["mixed-case scheme", `bAsIc ${GOOD}`],
  ["two spaces after the scheme", `Basic  ${GOOD}`],
  ["spaces around the value", `   Basic ${GOOD}   `],
];

let fixture: ProxyFixture;
beforeEach(async () => {
  fixture = await startProxy(SETTINGS);
});
afterEach(async () => {
  await fixture.close();
});

describe("Authorization header variants", () => {
  it.each(REJECTED)("%s", async (_name, values, status) => {
    const result = await exchange(fixture.port, withAuthorization(...values), {
      responses: 1,
    });

    expect(result.responses[0]?.status).toBe(status);
    expect(result.responses[0]?.json).toHaveProperty("error");
    if (status === 401)
      expect(result.responses[0]?.headers["www-authenticate"]).toMatch(
        /^Basic realm=/,
      );
    expect(fixture.node.received).toHaveLength(0);
    const after = await send({
      port: fixture.port,
      path: "/api/v1/info",
      from: "127.0.0.3",
      headers: { authorization: `Basic ${GOOD}` },
    });
    expect(after.status).toBe(200);
  });

  it.each(ACCEPTED)("accepts %s (RFC 7235)", async (_name, value) => {
    const result = await exchange(fixture.port, withAuthorization(value), {
      responses: 1,
    });

    expect(result.responses[0]?.status).toBe(200);
    expect(fixture.node.received).toHaveLength(1);
  });

  it("rejects a header over the size limit with 431", async () => {
    const value = `Basic ${b64(`admin:${"x".repeat(20_000)}`)}`;
    const result = await exchange(fixture.port, withAuthorization(value), {
      responses: 1,
    });

    expect(result.responses[0]?.status).toBe(431);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("counts every rejection and never answers 500", async () => {
    for (const [, values] of REJECTED)
      await exchange(fixture.port, withAuthorization(...values), {
        responses: 1,
      });

    const { rejected, forwarded } = fixture.engine.snapshot();
    const badRequests = REJECTED.filter(([, , status]) => status === 400);
    expect(rejected.badRequest).toBe(badRequests.length);
    expect(rejected.unauthorized).toBe(REJECTED.length - badRequests.length);
    expect(forwarded["5xx"]).toBe(0);
    expect(fixture.node.received).toHaveLength(0);
  });
});

describe("Authorization with scrypt", () => {
  it("rejects variants of a scrypt password", async () => {
    await fixture.close();
    const record = await createPasswordRecord("iota", "scrypt");
    fixture = await startProxy({
      ...SETTINGS,
      basicAuth: { enabled: true, username: "admin", ...record },
    });
    const cases: [string, number][] = [
      [`Basic ${b64("admin:iot")}`, 401],
      [`Basic ${b64("admin:iotaa")}`, 401],
      [`Basic ${b64(`admin:${"x".repeat(10_000)}`)}`, 401],
      [`Basic ${b64("admin:\u00ff")}`, 401],
      [`Basic ${GOOD.slice(0, -2)}`, 401],
      [`basic ${GOOD}`, 200],
    ];

    for (const [value, status] of cases) {
      const result = await exchange(fixture.port, withAuthorization(value), {
        responses: 1,
      });
      expect(result.responses[0]?.status, value.slice(0, 40)).toBe(status);
    }
    expect(fixture.node.received).toHaveLength(1);
  });
});
