import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { startProxy, type ProxyFixture } from "../support/http.js";
import { chunked, exchange, rawRequest } from "../support/raw-http.js";

const SETTINGS = {
  whitelist: { enabled: false },
  rateLimit: { enabled: false },
};
const HEADERS = {
  "Content-Type": "application/json",
  "X-IOTA-API-Version": "1",
};

// Each case: a name, the raw body and the status for a remote client.
const CASES: [string, string, number][] = [
  ["protected command", '{"command":"attachToTangle"}', 403],
  ["admin command", '{"command":"addNeighbors","uris":[]}', 403],
  ["upper-case first letter", '{"command":"AttachToTangle"}', 403],
  ["all upper case", '{"command":"ATTACHTOTANGLE"}', 403],
  ["case variant of an allowed command", '{"command":"GetNodeInfo"}', 403],
  ["unicode escape in the value", '{"command":"attach\\u0054oTangle"}', 400],
  ["escaped allowed command", '{"command":"getNode\\u0049nfo"}', 400],
  ["escaped slash in the value", '{"command":"attachToTangle\\/"}', 400],
  ["escape in the key", '{"comm\\u0061nd":"attachToTangle"}', 400],
  [
    "escaped key after the real one",
    '{"command":"getNodeInfo","\\u0063ommand":"attachToTangle"}',
    400,
  ],
  [
    "duplicate key, protected last",
    '{"command":"getNodeInfo","command":"attachToTangle"}',
    400,
  ],
  [
    "duplicate key, protected first",
    '{"command":"attachToTangle","command":"getNodeInfo"}',
    400,
  ],
  [
    "key differing in case",
    '{"command":"getNodeInfo","Command":"attachToTangle"}',
    400,
  ],
  ["upper-case key alone", '{"COMMAND":"attachToTangle"}', 400],
  ["capitalised key alone", '{"Command":"getNodeInfo"}', 400],
  [
    "non-ASCII key",
    '{"c\u00f6mmand":"attachToTangle","command":"getNodeInfo"}',
    400,
  ],
  ["number", '{"command":1}', 400],
  ["array", '{"command":["attachToTangle"]}', 400],
  ["object", '{"command":{"name":"attachToTangle"}}', 400],
  ["null", '{"command":null}', 400],
  ["boolean", '{"command":true}', 400],
  ["empty string", '{"command":""}', 400],
  ["trailing space", '{"command":"getNodeInfo "}', 400],
  ["NUL in the value", '{"command":"getNodeInfo\\u0000"}', 400],
  ["missing command", '{"addresses":[]}', 400],
  ["empty object", "{}", 400],
  ["command only nested", '{"x":{"command":"getNodeInfo"}}', 400],
  ["top-level array", '[{"command":"getNodeInfo"}]', 400],
  ["top-level string", '"getNodeInfo"', 400],
  ["form encoding", "command=getNodeInfo", 400],
  ["truncated JSON", '{"command":"getNodeInfo"', 400],
  [
    "two JSON objects",
    '{"command":"getNodeInfo"}{"command":"attachToTangle"}',
    400,
  ],
  ["trailing comma", '{"command":"getNodeInfo",}', 400],
  ["single quotes", "{'command':'getNodeInfo'}", 400],
  ["comment", '{"command":"getNodeInfo"/*x*/}', 400],
  ["byte order mark", '\ufeff{"command":"getNodeInfo"}', 400],
  [
    "deep nesting",
    `{"command":"getNodeInfo","x":${"[".repeat(40)}${"]".repeat(40)}}`,
    400,
  ],
  ["very deep nesting", "[".repeat(100_000), 400],
  ["empty body", "", 400],
];

let fixture: ProxyFixture;
beforeEach(async () => {
  fixture = await startProxy(SETTINGS);
});
afterEach(async () => {
  await fixture.close();
});

describe("command policy evasion", () => {
  it.each(CASES)("%s", async (_name, body, status) => {
    const result = await exchange(
      fixture.port,
      rawRequest("POST", "/", HEADERS, body),
      { responses: 1 },
    );

    expect(result.responses[0]?.status).toBe(status);
    expect(result.responses[0]?.json).toHaveProperty("error");
    expect(fixture.node.received).toHaveLength(0);
  });

  it.each(CASES)("%s, chunked", async (_name, body, status) => {
    const head = rawRequest("POST", "/?x=1", {
      ...HEADERS,
      "Transfer-Encoding": "chunked",
    }).replace(/Content-Length: \d+\r\n/, "");
    const framed = body === "" ? "0\r\n\r\n" : chunked(body);
    const result = await exchange(fixture.port, head + framed, {
      responses: 1,
    });

    expect(result.responses[0]?.status).toBe(status);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("rejects invalid UTF-8", async () => {
    const body = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
    const head = rawRequest("POST", "/", HEADERS).replace(
      "Content-Length: 0",
      `Content-Length: ${body.length}`,
    );
    const result = await exchange(
      fixture.port,
      Buffer.concat([Buffer.from(head), body]),
      { responses: 1 },
    );

    expect(result.responses[0]?.status).toBe(400);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("forwards an allowed command with other members", async () => {
    const body =
      '{"x":"\\"}","y":[{"command":"attachToTangle"}],"command":"getNodeInfo"}';
    const result = await exchange(
      fixture.port,
      rawRequest("POST", "/", HEADERS, body),
      { responses: 1 },
    );

    expect(result.responses[0]?.status).toBe(200);
    expect(fixture.node.received.map((request) => request.body)).toEqual([
      body,
    ]);
  });

  it("counts each rejection with its reason", async () => {
    for (const [, body] of CASES)
      await exchange(fixture.port, rawRequest("POST", "/", HEADERS, body), {
        responses: 1,
      });

    const { rejected } = fixture.engine.snapshot();
    const forbidden = CASES.filter(([, , status]) => status === 403).length;
    expect(rejected.commandNotAllowed).toBe(forbidden);
    expect(rejected.badRequest).toBe(CASES.length - forbidden);
    expect(fixture.node.received).toHaveLength(0);
  });
});
