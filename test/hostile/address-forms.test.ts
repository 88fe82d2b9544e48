import { spawnSync } from "node:child_process";
import { BlockList } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { identifyClient } from "../../main/proxy/client-address.js";
import { RateLimiter } from "../../main/proxy/rate-limit.js";
import { compileWhitelist } from "../../main/proxy/whitelist.js";
import { parseAddressRange } from "../../shared/address.js";
import { parseSettings } from "../../shared/settings.js";
import { send, startProxy, type ProxyFixture } from "../support/http.js";
import {
  networkNamespaceAvailable,
  runInNetworkNamespace,
} from "../support/netns.js";

let fixture: ProxyFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

// Each case: an entry and a part of the reason the settings error gives.
const ODD_ENTRIES: [string, string][] = [
  ["010.0.0.1", "dotted decimal form"],
  ["10.0.0.01", "dotted decimal form"],
  ["0177.0.0.1", "dotted decimal form"],
  ["0x7f.0.0.1", "dotted decimal form"],
  ["0x7f000001", "dotted decimal form"],
  ["2130706433", "dotted decimal form"],
  ["127.1", "dotted decimal form"],
  ["127.0.1", "dotted decimal form"],
  ["256.0.0.1", "dotted decimal form"],
  ["1.2.3.4.5", "dotted decimal form"],
  ["::ffff:010.0.0.1", "not a valid IP address"],
  ["fe80::1%eth0", "zone id"],
  ["fe80::1%25eth0", "zone id"],
  ["fe80::/64%eth0", "prefix length"],
  ["10.0.0.0/33", "more than the maximum of 32"],
  ["10.0.0.0/999", "more than the maximum of 32"],
  ["::/129", "more than the maximum of 128"],
  ["10.0.0.0/-1", "not a decimal number"],
  ["10.0.0.0/08", "not a decimal number"],
  ["10.0.0.0/", "not a decimal number"],
  ["10.0.0.0/8/8", "not a decimal number"],
  ["10.0.0.0/255.0.0.0", "not a decimal number"],
  ["::ffff:10.0.0.0/80", "from 96 to 128"],
  ["10.0.0.1/8", "not the first address"],
  ["localhost", "not a valid IP address"],
  ["node.example.org", "not a valid IP address"],
  ["[::1]", "not a valid IP address"],
  ["1::2::3", "not a valid IP address"],
  ["", "is empty"],
];

describe("whitelist entries written oddly", () => {
  it.each(ODD_ENTRIES)("%s is a settings error", (entry, reason) => {
    const parsed = parseSettings({
      whitelist: { addresses: ["192.168.1.20", entry] },
    });

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toHaveLength(1);
    expect(parsed.issues[0]?.path).toBe("whitelist.addresses[1]");
    if (entry !== "") expect(parsed.message).toContain(JSON.stringify(entry));
    expect(parsed.message).toContain(reason);
  });

  it("reads ::a.b.c.d as IPv6, not as IPv4", () => {
    const parsed = parseAddressRange("::10.0.0.1");

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.family).toBe("ipv6");
    expect(parsed.value.text).toBe("::a00:1");
    const whitelist = compileWhitelist(["::10.0.0.1"]);
    expect(whitelist.matches(identifyClient("10.0.0.1"))).toBe(false);
    expect(whitelist.matches(identifyClient("::a00:1"))).toBe(true);
    expect(whitelist.matches(identifyClient("::10.0.0.1"))).toBe(true);
  });

  it("an IPv4-compatible entry admits no IPv4 client", async () => {
    fixture = await startProxy({
      whitelist: { enabled: true, addresses: ["::127.0.0.2"] },
    });
    const reply = await send({
      port: fixture.port,
      from: "127.0.0.2",
      path: "/health",
    });

    expect(reply.status).toBe(403);
    expect(fixture.node.received).toHaveLength(0);
  });
});

// Each case: a socket address, its canonical form, its key and localhost or not.
const PEERS: [string, string, string, boolean][] = [
  ["127.0.0.1", "127.0.0.1", "127.0.0.1", true],
  ["::ffff:127.0.0.1", "127.0.0.1", "127.0.0.1", true],
  ["::ffff:7f00:1", "127.0.0.1", "127.0.0.1", true],
  ["::1", "::1", "::/64", true],
  ["0:0:0:0:0:0:0:1", "::1", "::/64", true],
  ["127.0.0.2", "127.0.0.2", "127.0.0.2", false],
  ["::FFFF:127.0.0.2", "127.0.0.2", "127.0.0.2", false],
  ["::127.0.0.1", "::7f00:1", "::/64", false],
  ["::2", "::2", "::/64", false],
  ["fe80::1%eth0", "fe80::1", "fe80::/64", false],
  ["2001:DB8::1", "2001:db8::1", "2001:db8::/64", false],
  ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "2001:db8::/64", false],
  ["2001:db8::ffff:1.2.3.4", "2001:db8::ffff:102:304", "2001:db8::/64", false],
  ["2001:db8:0:1::1", "2001:db8:0:1::1", "2001:db8:0:1::/64", false],
];

describe("client address forms", () => {
  it.each(PEERS)("%s", (peer, address, key, local) => {
    const client = identifyClient(peer);

    expect(client.address).toBe(address);
    expect(client.key).toBe(key);
    expect(client.local).toBe(local);
  });

  it.each([undefined, "", "garbage", "1.2.3", "::ffff:1.2.3.4.5"])(
    "%s is an unknown remote client",
    (peer) => {
      const client = identifyClient(peer);

      expect(client.local).toBe(false);
      const whitelist = compileWhitelist(["0.0.0.0/0", "::/0", "10.0.0.1"]);
      expect(whitelist.matches(client)).toBe(false);
    },
  );

  it("IPv6 clients in one /64 share a bucket", () => {
    const limiter = new RateLimiter(0.01, 3);
    const results = Array.from({ length: 6 }, (_, index) => {
      const client = identifyClient(`2001:db8::${(index * 4099).toString(16)}`);
      return limiter.take(client.key, 1).ok;
    });

    expect(results).toEqual([true, true, true, false, false, false]);
    expect(limiter.take(identifyClient("2001:db8:0:1::1").key, 1).ok).toBe(
      true,
    );
    expect(limiter.size).toBe(2);
  });

  it("whitelist agrees with net.BlockList", () => {
    const entries = ["10.0.0.0/8", "2001:db8::/48", "::ffff:192.0.2.0/120"];
    const whitelist = compileWhitelist(entries);
    const reference = new BlockList();
    reference.addSubnet("10.0.0.0", 8, "ipv4");
    reference.addSubnet("2001:db8::", 48, "ipv6");
    reference.addSubnet("192.0.2.0", 24, "ipv4");
    const peers = [
      ["10.1.2.3", "ipv4"],
      ["::ffff:10.1.2.3", "ipv4"],
      ["11.0.0.1", "ipv4"],
      ["192.0.2.9", "ipv4"],
      ["::ffff:192.0.2.9", "ipv4"],
      ["2001:db8:0:ffff::1", "ipv6"],
      ["2001:db9::1", "ipv6"],
    ] as const;

    for (const [peer, family] of peers) {
      const address = peer.replace(/^::ffff:/, "");
      expect(whitelist.matches(identifyClient(peer)), peer).toBe(
        reference.check(address, family),
      );
    }
  });
});

describe("clients on IPv6 listeners", () => {
  it("localhost over ::1 is localhost", async () => {
    fixture = await startProxy({
      listen: { host: "::1", port: 0 },
      whitelist: { enabled: true, addresses: [] },
    });
    const reply = await send({
      port: fixture.port,
      host: "::1",
      path: "/health",
    });

    expect(reply.status).toBe(200);
    expect(fixture.engine.snapshot().clients[0]?.address).toBe("::1");
    expect(fixture.node.received).toHaveLength(1);
  });

  it("a peer gone before accept does not crash", async () => {
    fixture = await startProxy({
      whitelist: { enabled: true, addresses: ["10.0.0.0/8"] },
      limits: { maxConnectionsPerClient: 1 },
    });
    // spawnSync blocks this event loop, so the engine accepts the
    // connections only after the child has reset them: getpeername fails
    // and the sockets have no remote address.
    const script = `
      const net = require("node:net");
      let left = 4;
      for (let i = 0; i < 4; i++) {
        const socket = net.connect({ port: ${fixture.port}, host: "127.0.0.1", localAddress: "127.0.0.2" }, () => {
          socket.resetAndDestroy();
          if (--left === 0) setTimeout(() => process.exit(0), 50);
        });
        socket.on("error", () => {});
      }`;
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const child = spawnSync(process.execPath, ["-e", script], {
        timeout: 10_000,
      });
      expect(child.status).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off("uncaughtException", onUncaught);
    }

    expect(uncaught).toEqual([]);
    const reply = await send({ port: fixture.port, path: "/health" });
    expect(reply.status).toBe(200);
  });

  it.skipIf(!networkNamespaceAvailable())(
    "IPv4-mapped and IPv6 clients in a namespace",
    async () => {
      const addresses = [
        ...Array.from({ length: 8 }, (_, i) => `2001:db8::${i + 1}/64`),
        "2001:db8:0:1::1/64",
      ];
      const result = await runInNetworkNamespace(
        new URL("netns/ipv6-clients.ts", import.meta.url),
        addresses,
      );

      expect(result).toEqual({
        mapped: {
          whitelisted: 200,
          other: 403,
          localhost: 200,
          ipv6: 200,
          clients: ["127.0.0.1", "127.0.0.2", "127.0.0.3", "2001:db8::7"],
          received: 3,
        },
        rotation: {
          same: [200, 200, 200, 429, 429, 429, 429, 429],
          other: [200],
          buckets: 2,
          received: 4,
        },
        connectionCap: { open: 4, rejected: 2, other: 200 },
      });
    },
  );
});
