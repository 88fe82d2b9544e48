import { afterEach, describe, expect, it } from "vitest";

import { parseLegacyCommand } from "../../main/proxy/classify/legacy-api.js";
import { parseRequestPath } from "../../main/proxy/classify/rest-api.js";
import {
  send,
  sendCommand,
  startProxy,
  type ProxyFixture,
} from "../support/http.js";

let fixture: ProxyFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const body = (text: string) => Buffer.from(text, "utf8");
const OPEN = { whitelist: { enabled: false }, rateLimit: { enabled: false } };

describe("parseLegacyCommand", () => {
  it("reads the command", () => {
    expect(
      parseLegacyCommand(
        body('{"command":"getBalances","addresses":["A"],"threshold":100}'),
      ),
    ).toEqual({ ok: true, command: "getBalances" });
    expect(
      parseLegacyCommand(
        body(
          ' {\n "addresses": [{"command":"x"}],\n "command" : "getTrytes" }',
        ),
      ),
    ).toEqual({ ok: true, command: "getTrytes" });
  });

  it.each([
    ["an empty body", "", "empty"],
    ["text that is not JSON", "command=getNodeInfo", "not valid JSON"],
    ["an array", '[{"command":"getNodeInfo"}]', "must be a JSON object"],
    ["no command", '{"addresses":[]}', "no command"],
    [
      "a duplicate command",
      '{"command":"getNodeInfo","command":"attachToTangle"}',
      "more than once",
    ],
    [
      "a key differing in case",
      '{"command":"getNodeInfo","Command":"attachToTangle"}',
      "more than once",
    ],
    [
      "a key in other case alone",
      '{"COMMAND":"attachToTangle"}',
      'exactly as "command"',
    ],
    [
      "an escaped key",
      '{"comm\\u0061nd":"attachToTangle"}',
      'exactly as "command"',
    ],
    [
      "an escaped command",
      '{"command":"attach\\u0054oTangle"}',
      "plain string",
    ],
    ["a number", '{"command":1}', "plain string"],
    ["an array command", '{"command":["getNodeInfo"]}', "plain string"],
    ["an object command", '{"command":{"name":"getNodeInfo"}}', "plain string"],
    ["a non-ASCII key", '{"commаnd":"attachToTangle"}', "non-ASCII"],
    [
      "deep nesting",
      `{"command":"getNodeInfo","x":${"[".repeat(40)}${"]".repeat(40)}}`,
      "deeper than",
    ],
  ])("rejects %s", (_case, text, reason) => {
    const result = parseLegacyCommand(body(text));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it("rejects invalid UTF-8", () => {
    const result = parseLegacyCommand(
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]),
    );
    expect(!result.ok && result.reason).toContain("UTF-8");
  });
});

describe("parseRequestPath", () => {
  it("decodes a plain path and ignores the query", () => {
    expect(parseRequestPath("/api/v1/%69nfo?x=%2F")).toEqual({
      ok: true,
      value: { path: "/api/v1/info" },
    });
  });

  it.each([
    "/api/v1/messages/../peers",
    "/api/v1/info/.",
    "/api//v1/peers",
    "/api/v1/messages%2F..%2Fpeers",
    "/api/v1/messages/%2e%2e/peers",
    "/api\\v1",
    "http://node/api/v1/info",
    "*",
    "/bad%zz",
  ])("rejects %s", (target) => {
    expect(parseRequestPath(target).ok).toBe(false);
  });
});

describe("command policy over sockets", () => {
  it("lets a remote client run an allowed command", async () => {
    fixture = await startProxy(OPEN);
    const reply = await sendCommand(fixture.port, "getBalances", {
      from: "127.0.0.2",
      extra: { addresses: ["A".repeat(81)] },
    });
    expect(reply.status).toBe(200);
    expect(fixture.node.commands).toEqual(["getBalances"]);
  });

  it.each([
    "attachToTangle",
    "addNeighbors",
    "removeNeighbors",
    "getNeighbors",
    "pruneDatabase",
  ])("protects %s from a remote client", async (command) => {
    fixture = await startProxy(OPEN);
    const reply = await sendCommand(fixture.port, command, {
      from: "127.0.0.2",
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({ error: `command [${command}] is protected` });
    expect(fixture.node.received).toHaveLength(0);
  });

  it("lets localhost and whitelisted clients run protected commands", async () => {
    fixture = await startProxy({
      whitelist: { addresses: ["127.0.0.2"] },
      rateLimit: { enabled: false },
    });
    expect((await sendCommand(fixture.port, "attachToTangle")).status).toBe(
      200,
    );
    expect(
      (
        await sendCommand(fixture.port, "addNeighbors", {
          from: "127.0.0.2",
          extra: { uris: ["tcp://x:15600"] },
        })
      ).status,
    ).toBe(200);
    expect(fixture.node.commands).toEqual(["attachToTangle", "addNeighbors"]);
  });

  it("follows the configured allowed list", async () => {
    fixture = await startProxy({
      ...OPEN,
      commands: { allowedRemote: ["getNodeInfo"] },
    });
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getBalances", { from: "127.0.0.2" }))
        .status,
    ).toBe(403);
    expect(fixture.node.commands).toEqual(["getNodeInfo"]);
  });

  it.each([
    ['{"command":"AttachToTangle"}', 403],
    ['{"command":"getNodeInfo","command":"attachToTangle"}', 400],
    ['{"Command":"attachToTangle"}', 400],
    ['{"command":"attach\\u0054oTangle"}', 400],
    ["not json", 400],
  ])("rejects %s from a remote client", async (text, status) => {
    fixture = await startProxy(OPEN);
    const reply = await send({
      port: fixture.port,
      method: "POST",
      path: "/",
      body: text,
      from: "127.0.0.2",
      headers: { "x-iota-api-version": "1" },
    });
    expect(reply.status).toBe(status);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("rejects a malformed body from localhost as well", async () => {
    fixture = await startProxy();
    const reply = await send({
      port: fixture.port,
      method: "POST",
      path: "/",
      body: '{"command":"getNodeInfo","command":"attachToTangle"}',
    });
    expect(reply.status).toBe(400);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("protects REST routes outside the allowed list", async () => {
    fixture = await startProxy(OPEN);
    const info = await send({
      port: fixture.port,
      path: "/api/v1/info",
      from: "127.0.0.2",
    });
    const peers = await send({
      port: fixture.port,
      path: "/api/v1/peers",
      from: "127.0.0.2",
    });
    const traversal = await send({
      port: fixture.port,
      path: "/api/v1/messages/../peers",
      from: "127.0.0.2",
    });
    expect(info.status).toBe(200);
    expect(peers.status).toBe(403);
    expect(peers.json).toEqual({ error: "route /api/v1/peers is protected" });
    expect(traversal.status).toBe(400);
    expect(fixture.node.received.map((request) => request.url)).toEqual([
      "/api/v1/info",
    ]);
  });

  it("lets localhost use every REST route", async () => {
    fixture = await startProxy();
    expect(
      (await send({ port: fixture.port, path: "/api/v1/peers" })).status,
    ).toBe(200);
  });
});
