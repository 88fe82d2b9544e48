import { afterEach, describe, expect, it } from "vitest";

import { bodyFraming } from "../../main/proxy/raw-rejection.js";
import {
  send,
  sendCommand,
  startProxy,
  type ProxyFixture,
} from "../support/http.js";
import { exchange } from "../support/raw-http.js";

let fixture: ProxyFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const get = (path = "/api/v1/info", extra = "") =>
  `GET ${path} HTTP/1.1\r\nhost: node\r\n${extra}\r\n`;

describe("connections rejected by the whitelist", () => {
  it("answer every pipelined request and stay open", async () => {
    fixture = await startProxy();
    const result = await exchange(
      fixture.port,
      get() + get("/health") + get("/api/v1/tips"),
      { responses: 3, timeoutMs: 2000 },
    );
    expect(result.responses.map((response) => response.status)).toEqual([
      403, 403, 403,
    ]);
    expect(result.responses[0]?.json).toEqual({
      error: "this address (127.0.0.2) is not whitelisted",
    });
    expect(result.responses[0]?.headers["access-control-allow-origin"]).toBe(
      "*",
    );
    expect(result.responses[0]?.headers.connection).toBe("keep-alive");
    expect(result.closed).toBe(false);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("skip a body sent in pieces", async () => {
    fixture = await startProxy();
    const body = '{"command":"attachToTangle"}';
    const head = `POST / HTTP/1.1\r\nhost: node\r\ncontent-length: ${body.length}\r\n\r\n`;
    const pieces = [
      head + body.slice(0, 5),
      body.slice(5, 12),
      body.slice(12) + get(),
    ];
    const result = await exchange(fixture.port, pieces, {
      responses: 2,
      timeoutMs: 2000,
      pauseMs: 20,
    });
    expect(result.responses.map((response) => response.status)).toEqual([
      403, 403,
    ]);
    expect(fixture.node.received).toHaveLength(0);
  });

  it.each([
    [
      "a chunked body",
      "POST / HTTP/1.1\r\nhost: node\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      403,
    ],
    [
      "two lengths",
      "POST / HTTP/1.1\r\nhost: node\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nabc",
      403,
    ],
    ["HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", 403],
    ["Connection: close", get("/", "connection: close\r\n"), 403],
    ["a line that is not HTTP", "HELLO THERE\r\n\r\n", 400],
  ])("close after %s", async (_case, request, status) => {
    fixture = await startProxy();
    const result = await exchange(fixture.port, request + get(), {
      timeoutMs: 2000,
    });
    expect(result.responses.map((response) => response.status)).toEqual([
      status,
    ]);
    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("answer 431 to a head that never ends", async () => {
    fixture = await startProxy({ limits: { maxHeaderBytes: 1024 } });
    const result = await exchange(
      fixture.port,
      `GET / HTTP/1.1\r\nx-padding: ${"x".repeat(2000)}`,
      { timeoutMs: 2000 },
    );
    expect(result.responses.map((response) => response.status)).toEqual([431]);
    expect(result.closed).toBe(true);
  });

  it("answer 408 to a head that arrives too slowly", async () => {
    fixture = await startProxy({
      limits: { headersTimeoutSeconds: 0.3, requestTimeoutSeconds: 1 },
    });
    const result = await exchange(fixture.port, "GET / HTTP/1.1\r\nhost: n", {
      timeoutMs: 3000,
    });
    expect(result.responses.map((response) => response.status)).toEqual([408]);
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeLessThan(2000);
  });

  it("count each request with its method and path", async () => {
    fixture = await startProxy();
    await exchange(
      fixture.port,
      get("/api/v1/peers") + "DELETE /x HTTP/1.1\r\nhost: n\r\n\r\n",
      { responses: 2, timeoutMs: 2000 },
    );
    const stats = fixture.engine.snapshot();
    expect(stats.rejected.notWhitelisted).toBe(2);
    expect(
      stats.recentRejections.map((event) => [
        event.method,
        event.target,
        event.status,
      ]),
    ).toEqual([
      ["DELETE", "/x", 403],
      ["GET", "/api/v1/peers", 403],
    ]);
  });

  it("are released when the whitelist lets the client in", async () => {
    fixture = await startProxy();
    const port = fixture.port;
    const pending = exchange(port, get(), { timeoutMs: 3000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      whitelist: { enabled: true, addresses: ["127.0.0.2"] },
    });
    expect(result.ok).toBe(true);
    const closed = await pending;
    expect(closed.responses.map((response) => response.status)).toEqual([403]);
    expect(closed.closed).toBe(true);
    expect(closed.elapsedMs).toBeLessThan(2500);
    expect(
      (await sendCommand(port, "getNodeInfo", { from: "127.0.0.2" })).status,
    ).toBe(200);
  });

  it("answer a blocked address", async () => {
    fixture = await startProxy({ whitelist: { enabled: false } });
    fixture.engine.block("127.0.0.2", 60);
    const blocked = await send({
      port: fixture.port,
      path: "/api/v1/info",
      from: "127.0.0.2",
    });
    expect(blocked.status).toBe(403);
    expect(blocked.json).toEqual({
      error: "this address is blocked by the node's owner",
    });
    fixture.engine.unblock("127.0.0.2");
    expect(
      (
        await send({
          port: fixture.port,
          path: "/api/v1/info",
          from: "127.0.0.2",
        })
      ).status,
    ).toBe(200);
  });

  it("are not used with protection off", async () => {
    fixture = await startProxy({ protection: { enabled: false } });
    const result = await exchange(fixture.port, get(), {
      responses: 1,
      timeoutMs: 2000,
    });
    expect(result.responses.map((response) => response.status)).toEqual([200]);
    expect(fixture.node.received).toHaveLength(1);
  });
});

describe("bodyFraming", () => {
  it.each([
    ["", 0, false],
    ["content-length: 12", 12, false],
    ["Content-Length:  7 ", 7, false],
    ["content-length: 1\r\ncontent-length: 1", undefined, false],
    ["content-length: -1", undefined, false],
    ["content-length: 1e3", undefined, false],
    ["transfer-encoding: chunked\r\ncontent-length: 3", undefined, false],
    ["content-length: 3\r\ntransfer-encoding: chunked", undefined, false],
    ["connection: keep-alive, close", 0, true],
    ["connection: closed", 0, false],
  ])("reads %j", (headers, length, close) => {
    expect(bodyFraming(headers)).toEqual({ length, close });
  });
});
