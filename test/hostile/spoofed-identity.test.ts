import { afterEach, describe, expect, it } from "vitest";

import {
  send,
  sendCommand,
  startProxy,
  type ProxyFixture,
} from "../support/http.js";
import { exchange, rawRequest } from "../support/raw-http.js";

// Headers that some servers and frameworks read as the client's address.
const CLAIMS: [string, string][] = [
  ["X-Forwarded-For", "127.0.0.1"],
  ["X-Forwarded-For", "127.0.0.5"],
  ["X-Forwarded-For", "::1"],
  ["X-Forwarded-For", "127.0.0.5, 127.0.0.1"],
  ["x-forwarded-for", "127.0.0.1"],
  ["X-FORWARDED-FOR", "127.0.0.1"],
  ["X_Forwarded_For", "127.0.0.1"],
  ["X-Real-IP", "127.0.0.1"],
  ["X-Real-Ip", "127.0.0.5"],
  ["X_Real_IP", "127.0.0.1"],
  ["Forwarded", "for=127.0.0.1"],
  ["Forwarded", 'for="[::1]"'],
  ["Forwarded", "for=127.0.0.5;proto=http;by=127.0.0.1"],
  ["X-Client-IP", "127.0.0.1"],
  ["True-Client-IP", "127.0.0.1"],
  ["CF-Connecting-IP", "127.0.0.1"],
  ["X-Cluster-Client-IP", "127.0.0.1"],
  ["Fastly-Client-IP", "127.0.0.1"],
  ["X-Forwarded", "for=127.0.0.1"],
  ["Forwarded-For", "127.0.0.1"],
];

const SPOOFABLE_NAMES = new Set(
  CLAIMS.map(([name]) => name.toLowerCase().replace(/_/g, "-")),
);

let fixture: ProxyFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function forwardedIdentityHeaders(proxy: ProxyFixture): string[] {
  return proxy.node.received.flatMap((request) =>
    Object.keys(request.headers).filter((name) =>
      SPOOFABLE_NAMES.has(name.replace(/_/g, "-")),
    ),
  );
}

describe("spoofed identity headers", () => {
  it.each(CLAIMS)("%s: %s is not whitelisted", async (name, value) => {
    fixture = await startProxy({
      whitelist: { enabled: true, addresses: ["127.0.0.5"] },
    });
    const result = await exchange(
      fixture.port,
      rawRequest("GET", "/api/v1/info", { [name]: value }),
      { responses: 1 },
    );

    expect(result.responses[0]?.status).toBe(403);
    expect(result.responses[0]?.body).toContain("127.0.0.2");
    expect(fixture.node.received).toHaveLength(0);
  });

  it("all claims at once are not whitelisted", async () => {
    fixture = await startProxy({
      whitelist: { enabled: true, addresses: ["127.0.0.5"] },
    });
    const headers = Object.fromEntries(CLAIMS.slice(7));
    const reply = await send({
      port: fixture.port,
      path: "/api/v1/info",
      from: "127.0.0.2",
      headers: { ...headers, "x-forwarded-for": "127.0.0.1" },
    });

    expect(reply.status).toBe(403);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("a localhost claim does not unlock commands", async () => {
    fixture = await startProxy({
      whitelist: { enabled: false },
      rateLimit: { enabled: false },
    });
    for (const [name, value] of CLAIMS) {
      const reply = await sendCommand(fixture.port, "attachToTangle", {
        from: "127.0.0.2",
        headers: { [name]: value },
      });
      expect(reply.status, name).toBe(403);
    }
    expect(fixture.node.received).toHaveLength(0);
  });

  it("rotating claims share one rate-limit bucket", async () => {
    fixture = await startProxy({
      whitelist: { enabled: false },
      rateLimit: { enabled: true, requestsPerSecond: 0.01, burst: 3 },
    });
    const statuses: number[] = [];
    for (const [index, [name]] of CLAIMS.entries()) {
      const reply = await send({
        port: fixture.port,
        path: "/api/v1/info",
        from: "127.0.0.2",
        headers: { [name]: `198.51.100.${index}` },
      });
      statuses.push(reply.status);
    }

    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual(CLAIMS.slice(3).map(() => 429));
    expect(fixture.node.received).toHaveLength(3);
    expect(fixture.engine.snapshot().tables.rateLimitBuckets.size).toBe(1);
  });

  it("rotating claims do not lift a lockout", async () => {
    fixture = await startProxy({
      whitelist: { enabled: false },
      rateLimit: { enabled: false },
      lockout: { enabled: true, maxFailures: 2 },
      basicAuth: {
        enabled: true,
        username: "admin",
        passwordHash:
          "6d2c5b160faf1603fc21df32597f2bfdf30a5cf87e44e41bd6160547214bad6e",
        passwordSalt: "mysecretsalt",
      },
    });
    const statuses: number[] = [];
    for (const [name] of CLAIMS.slice(0, 5)) {
      const reply = await send({
        port: fixture.port,
        path: "/api/v1/info",
        from: "127.0.0.2",
        headers: { [name]: "127.0.0.1", authorization: "Basic YTpi" },
      });
      statuses.push(reply.status);
    }

    expect(statuses).toEqual([401, 401, 429, 429, 429]);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("claims are not passed on to the node", async () => {
    fixture = await startProxy({
      whitelist: { enabled: true, addresses: ["127.0.0.2"] },
      rateLimit: { enabled: false },
    });
    for (const [name, value] of CLAIMS) {
      const result = await exchange(
        fixture.port,
        rawRequest("GET", "/api/v1/info", { [name]: value }),
        { responses: 1 },
      );
      expect(result.responses[0]?.status, name).toBe(200);
    }

    expect(fixture.node.received).toHaveLength(CLAIMS.length);
    expect(forwardedIdentityHeaders(fixture)).toEqual([]);
  });
});
