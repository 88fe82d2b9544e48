import { request } from "node:http";

import { afterEach, describe, expect, it } from "vitest";

import { DISCARDED_BODY_MAX } from "../../main/proxy/pipeline.js";
import { exchange } from "../support/raw-http.js";
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

const REMOTE = { whitelist: { addresses: ["127.0.0.2", "127.0.0.3"] } };

describe("rate limit over sockets", () => {
  it("answers 429 with Retry-After once the burst is spent", async () => {
    fixture = await startProxy({
      ...REMOTE,
      rateLimit: { requestsPerSecond: 0.5, burst: 3 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
          .status,
      );
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect(limited.headers["retry-after"]).toBe("2");
    expect((limited.json as { error: string }).error).toContain(
      "rate limit exceeded",
    );
    expect(fixture.node.commands).toHaveLength(3);
  });

  it("gives each client address its own bucket", async () => {
    fixture = await startProxy({
      ...REMOTE,
      rateLimit: { requestsPerSecond: 0.1, burst: 1 },
    });
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(429);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.3" }))
        .status,
    ).toBe(200);
  });

  it("exempts localhost", async () => {
    fixture = await startProxy({
      rateLimit: { requestsPerSecond: 0.1, burst: 1 },
    });
    for (let i = 0; i < 10; i++)
      expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(200);
  });

  it("charges attachToTangle more tokens than getNodeInfo", async () => {
    fixture = await startProxy({
      ...REMOTE,
      rateLimit: { requestsPerSecond: 0.1, burst: 6 },
    });
    fixture.node.attachDelayMs = 0;
    expect(
      (await sendCommand(fixture.port, "attachToTangle", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(429);
    expect(fixture.node.commands).toEqual(["attachToTangle", "getNodeInfo"]);
  });

  it("does not let forwarding headers buy a fresh bucket", async () => {
    fixture = await startProxy({
      ...REMOTE,
      rateLimit: { requestsPerSecond: 0.1, burst: 2 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const headers = {
        "x-forwarded-for": `10.0.0.${i}`,
        "x-real-ip": `10.0.1.${i}`,
      };
      statuses.push(
        (
          await sendCommand(fixture.port, "getNodeInfo", {
            from: "127.0.0.2",
            headers,
          })
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});

describe("body limit", () => {
  const SMALL = { limits: { maxBodyBytes: 100 } };

  it("rejects a declared body over the limit with 413 before reading it", async () => {
    fixture = await startProxy(SMALL);
    const reply = await send({
      port: fixture.port,
      method: "POST",
      path: "/",
      body: JSON.stringify({
        command: "storeTransactions",
        trytes: ["9".repeat(200)],
      }),
      headers: { "x-iota-api-version": "1" },
    });
    expect(reply.status).toBe(413);
    expect(reply.json).toEqual({
      error: "the request body is larger than 100 bytes",
    });
    expect(reply.headers.connection).toBe("close");
    expect(fixture.node.received).toHaveLength(0);
  });

  it("counts the bytes of a chunked body", async () => {
    fixture = await startProxy(SMALL);
    const port = fixture.port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/",
          agent: false,
          headers: { "transfer-encoding": "chunked" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 5; i++)
        req.write('{"padding":"' + "x".repeat(30) + '"}');
      req.end();
    });
    expect(status).toBe(413);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("forwards a body of exactly the limit", async () => {
    fixture = await startProxy(SMALL);
    const text = JSON.stringify({ command: "getNodeInfo", pad: "" });
    const padded = text.replace(
      '"pad":""',
      `"pad":"${"x".repeat(100 - text.length)}"`,
    );
    expect(Buffer.byteLength(padded)).toBe(100);
    const reply = await send({
      port: fixture.port,
      method: "POST",
      path: "/",
      body: padded,
      headers: { "x-iota-api-version": "1" },
    });
    expect(reply.status).toBe(200);
    expect(fixture.node.received[0]?.body).toBe(padded);
  });

  it("applies the limit to REST routes too", async () => {
    fixture = await startProxy(SMALL);
    const reply = await send({
      port: fixture.port,
      method: "POST",
      path: "/api/v1/messages",
      body: "x".repeat(101),
    });
    expect(reply.status).toBe(413);
    expect(fixture.node.received).toHaveLength(0);
  });
});

describe("CORS", () => {
  it("answers a preflight without forwarding or credentials", async () => {
    fixture = await startProxy({
      basicAuth: {
        enabled: true,
        username: "admin",
        passwordHash:
          "6d2c5b160faf1603fc21df32597f2bfdf30a5cf87e44e41bd6160547214bad6e",
        passwordSalt: "mysecretsalt",
      },
    });
    const reply = await send({
      port: fixture.port,
      method: "OPTIONS",
      path: "/",
      headers: {
        origin: "https://wallet.example",
        "access-control-request-method": "POST",
        "access-control-request-headers":
          "authorization, content-type, x-iota-api-version",
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers["access-control-allow-origin"]).toBe("*");
    const allowed = String(reply.headers["access-control-allow-headers"]).split(
      ", ",
    );
    expect(allowed).toEqual(
      expect.arrayContaining([
        "Authorization",
        "Content-Type",
        "X-IOTA-API-Version",
      ]),
    );
    expect(fixture.node.received).toHaveLength(0);
  });

  it("puts CORS headers on rejections", async () => {
    fixture = await startProxy({
      ...REMOTE,
      rateLimit: { requestsPerSecond: 0.1, burst: 1 },
    });
    await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" });
    const limited = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect(limited.status).toBe(429);
    expect(limited.headers["access-control-allow-origin"]).toBe("*");
    expect(String(limited.headers["access-control-expose-headers"])).toContain(
      "Retry-After",
    );
  });
});

describe("connections after a rejection", () => {
  const post = (body: string, framing: string) =>
    `POST / HTTP/1.1\r\nhost: node\r\n${framing}\r\n${body}`;

  it("stay open when the unread body is small", async () => {
    fixture = await startProxy();
    const body = '{"command":"getNodeInfo"}';
    const request = post(body, `content-length: ${body.length}\r\n`);
    const result = await exchange(fixture.port, request + request, {
      from: "127.0.0.2",
      responses: 2,
      timeoutMs: 2000,
    });
    expect(result.responses.map((response) => response.status)).toEqual([
      403, 403,
    ]);
    expect(result.responses[0]?.headers.connection).not.toBe("close");
    expect(fixture.node.received).toHaveLength(0);
  });

  it("close when the unread body is chunked", async () => {
    fixture = await startProxy();
    const request = post(
      "5\r\nhello\r\n0\r\n\r\n",
      "transfer-encoding: chunked\r\n",
    );
    const result = await exchange(fixture.port, request + request, {
      from: "127.0.0.2",
      timeoutMs: 2000,
    });
    expect(result.responses.map((response) => response.status)).toEqual([403]);
    expect(result.responses[0]?.headers.connection).toBe("close");
    expect(result.closed).toBe(true);
  });

  it("close when the unread body is large", async () => {
    fixture = await startProxy();
    const body = "x".repeat(DISCARDED_BODY_MAX + 1);
    const result = await exchange(
      fixture.port,
      post(body, `content-length: ${body.length}\r\n`),
      { from: "127.0.0.2", timeoutMs: 2000 },
    );
    expect(result.responses.map((response) => response.status)).toEqual([403]);
    expect(result.responses[0]?.headers.connection).toBe("close");
    expect(result.closed).toBe(true);
  });
});

describe("CORS preflights and the rate limit", () => {
  it("take no token", async () => {
    fixture = await startProxy({
      whitelist: { addresses: ["127.0.0.2"] },
      rateLimit: { requestsPerSecond: 0.01, burst: 1 },
    });
    const preflights = [];
    for (let i = 0; i < 3; i++)
      preflights.push(
        (
          await send({
            port: fixture.port,
            method: "OPTIONS",
            path: "/",
            from: "127.0.0.2",
          })
        ).status,
      );
    expect(preflights).toEqual([204, 204, 204]);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(429);
    expect(
      (
        await send({
          port: fixture.port,
          method: "OPTIONS",
          path: "/",
          from: "127.0.0.2",
        })
      ).status,
    ).toBe(204);
  });
});
