import { afterEach, describe, expect, it } from "vitest";

import { identifyClient } from "../../main/proxy/client-address.js";
import { compileWhitelist } from "../../main/proxy/whitelist.js";
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

describe("identifyClient", () => {
  it("normalises IPv4-mapped IPv6 to IPv4", () => {
    expect(identifyClient("::ffff:127.0.0.2")).toEqual({
      address: "127.0.0.2",
      family: "ipv4",
      key: "127.0.0.2",
      local: false,
    });
  });

  it("treats only 127.0.0.1 and ::1 as localhost", () => {
    expect(identifyClient("127.0.0.1").local).toBe(true);
    expect(identifyClient("::ffff:127.0.0.1").local).toBe(true);
    expect(identifyClient("::1").local).toBe(true);
    expect(identifyClient("127.0.0.2").local).toBe(false);
    expect(identifyClient("127.1.2.3").local).toBe(false);
  });

  it("strips zone ids and keys IPv6 by /64", () => {
    const client = identifyClient("fe80::1:2:3:4%eth0");
    expect(client.address).toBe("fe80::1:2:3:4");
    expect(client.key).toBe("fe80::/64");
    expect(identifyClient("2001:db8:1:2:aaaa::1").key).toBe(
      identifyClient("2001:db8:1:2:bbbb::2").key,
    );
    expect(identifyClient("2001:db8:1:2::1").key).not.toBe(
      identifyClient("2001:db8:1:3::1").key,
    );
  });
});

describe("compileWhitelist", () => {
  const matcher = compileWhitelist([
    "192.168.1.20",
    "10.0.0.0/8",
    "2001:db8::/32",
    "::ffff:172.16.0.1",
  ]);
  it.each([
    ["192.168.1.20", true],
    ["192.168.1.21", false],
    ["10.255.0.1", true],
    ["11.0.0.1", false],
    ["2001:db8:ffff::1", true],
    ["2001:db9::1", false],
    ["172.16.0.1", true],
    ["::ffff:10.1.1.1", true],
  ])("matches %s: %s", (address, expected) => {
    expect(matcher.matches(identifyClient(address))).toBe(expected);
  });

  it("throws on an entry the schema would reject", () => {
    expect(() => compileWhitelist(["010.0.0.1"])).toThrow(/010\.0\.0\.1/);
  });
});

describe("whitelist over sockets", () => {
  it("lets localhost in with no entries", async () => {
    fixture = await startProxy();
    expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(200);
  });

  it("rejects a remote client with 403 and a JSON error", async () => {
    fixture = await startProxy();
    const reply = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      error: "this address (127.0.0.2) is not whitelisted",
    });
    expect(reply.headers["access-control-allow-origin"]).toBe("*");
    expect(fixture.node.received).toHaveLength(0);
  });

  it("lets in an address entry and a CIDR entry", async () => {
    fixture = await startProxy({
      whitelist: { addresses: ["127.0.0.2", "127.0.1.0/24"] },
    });
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.1.77" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.3" }))
        .status,
    ).toBe(403);
    expect(fixture.node.commands).toEqual(["getNodeInfo", "getNodeInfo"]);
  });

  it("matches an IPv4 entry for a client arriving as ::ffff:a.b.c.d", async () => {
    fixture = await startProxy({
      listen: { host: "::", port: 0 },
      whitelist: { addresses: ["127.0.0.4"] },
    });
    const allowed = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.4",
    });
    const rejected = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.5",
    });
    expect(allowed.status).toBe(200);
    expect(rejected.status).toBe(403);
    expect(rejected.json).toEqual({
      error: "this address (127.0.0.5) is not whitelisted",
    });
  });

  it("treats ::1 as localhost", async () => {
    fixture = await startProxy({ listen: { host: "::1", port: 0 } });
    const reply = await sendCommand(fixture.port, "getNodeInfo", {
      host: "::1",
    });
    expect(reply.status).toBe(200);
  });

  it("ignores forwarding headers that claim another address", async () => {
    fixture = await startProxy({ whitelist: { addresses: ["127.0.0.9"] } });
    const headers = {
      "x-forwarded-for": "127.0.0.9",
      "x-real-ip": "127.0.0.1",
      forwarded: "for=127.0.0.1",
    };
    const reply = await send({
      port: fixture.port,
      path: "/api/v1/info",
      from: "127.0.0.2",
      headers,
    });
    expect(reply.status).toBe(403);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("does not pass forwarding headers on to the node", async () => {
    fixture = await startProxy();
    await send({
      port: fixture.port,
      path: "/api/v1/info",
      headers: {
        "x-forwarded-for": "127.0.0.1",
        "x-real-ip": "127.0.0.1",
        forwarded: "for=127.0.0.1",
      },
    });
    const received = fixture.node.received[0];
    expect(received?.headers["x-forwarded-for"]).toBeUndefined();
    expect(received?.headers["x-real-ip"]).toBeUndefined();
    expect(received?.headers.forwarded).toBeUndefined();
  });

  it("applies a new entry to the next request", async () => {
    fixture = await startProxy();
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(403);
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      whitelist: { enabled: true, addresses: ["127.0.0.2"] },
    });
    expect(result.ok).toBe(true);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
  });

  it("blocks an address set by the owner, whitelisted or not", async () => {
    fixture = await startProxy({ whitelist: { addresses: ["127.0.0.2"] } });
    expect(fixture.engine.block("127.0.0.2", 3600)).toBe(true);
    const reply = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      error: "this address is blocked by the node's owner",
    });
    fixture.engine.unblock("127.0.0.2");
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
  });

  it("never blocks localhost", async () => {
    fixture = await startProxy();
    expect(fixture.engine.block("127.0.0.1", 3600)).toBe(false);
    expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(200);
  });
});
