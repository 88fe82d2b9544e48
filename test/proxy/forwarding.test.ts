import { connect } from "node:net";
import { request } from "node:http";

import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";

import {
  basic,
  HORNET_AUTH,
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("forwarding", () => {
  it("passes the request on unchanged but for hop-by-hop headers", async () => {
    fixture = await startProxy();
    const body = JSON.stringify({
      command: "getBalances",
      addresses: ["A".repeat(81)],
      threshold: 100,
    });
    await send({
      port: fixture.port,
      method: "POST",
      path: "/?client=test",
      body,
      headers: {
        "content-type": "application/json",
        "x-iota-api-version": "1",
        "user-agent": "wallet/1.0",
        connection: "keep-alive, x-client-hop",
        "x-client-hop": "secret",
        te: "trailers",
        "proxy-authorization": "Basic abc",
        "keep-alive": "timeout=5",
      },
    });
    const received = fixture.node.received[0];
    expect(received?.url).toBe("/?client=test");
    expect(received?.body).toBe(body);
    expect(received?.headers["user-agent"]).toBe("wallet/1.0");
    expect(received?.headers["content-length"]).toBe(
      String(Buffer.byteLength(body)),
    );
    expect(received?.headers["x-client-hop"]).toBeUndefined();
    expect(received?.headers.te).toBeUndefined();
    expect(received?.headers["proxy-authorization"]).toBeUndefined();
    expect(received?.headers["keep-alive"]).toBeUndefined();
  });

  it("removes hop-by-hop headers from the response", async () => {
    fixture = await startProxy();
    const reply = await send({ port: fixture.port, path: "/hop-by-hop" });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("ok");
    expect(reply.headers["x-end-to-end"]).toBe("kept");
    expect(reply.headers["x-hop-secret"]).toBeUndefined();
    expect(reply.headers["proxy-authenticate"]).toBeUndefined();
    expect(reply.headers["keep-alive"]).toBeUndefined();
  });

  it("passes the client's Authorization header on to the node", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    await sendCommand(fixture.port, "getNodeInfo", {
      headers: { authorization: basic("admin", "iota") },
    });
    expect(fixture.node.received[0]?.headers.authorization).toBe(
      basic("admin", "iota"),
    );
  });

  it("streams the node's response as it arrives", async () => {
    fixture = await startProxy();
    const port = fixture.port;
    const arrivals = await new Promise<number[]>((resolve, reject) => {
      const times: number[] = [];
      const req = request(
        { host: "127.0.0.1", port, path: "/stream", agent: false },
        (res) => {
          res.on("data", () => times.push(performance.now()));
          res.on("end", () => resolve(times));
        },
      );
      req.on("error", reject);
      req.end();
    });
    // The node writes five chunks 10 ms apart: a buffering proxy would deliver them at once.
    expect(arrivals.length).toBeGreaterThan(1);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(25);
  });

  it("reuses upstream connections", async () => {
    fixture = await startProxy();
    for (let i = 0; i < 10; i++)
      expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(200);
    const ports = new Set(
      fixture.node.received.map((request) => request.remotePort),
    );
    expect(ports.size).toBe(1);
  });

  it("answers 502 with JSON within a second when the node is down", async () => {
    fixture = await startProxy();
    await fixture.node.stop();
    const started = performance.now();
    const reply = await sendCommand(fixture.port, "getNodeInfo");
    expect(reply.status).toBe(502);
    expect(reply.json).toEqual({ error: "the node is unreachable" });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fixture.engine.snapshot().upstream.errors).toBe(1);
  });

  it("answers 502 when the node resets the connection", async () => {
    fixture = await startProxy();
    fixture.node.fault = "reset";
    const reply = await sendCommand(fixture.port, "getNodeInfo");
    expect(reply.status).toBe(502);
    expect(fixture.engine.snapshot().upstream.reachable).toBe(false);
  });

  it("answers 504 after the upstream timeout", async () => {
    fixture = await startProxy({ upstream: { timeoutSeconds: 0.3 } });
    fixture.node.fault = "hang";
    const started = performance.now();
    const reply = await sendCommand(fixture.port, "getNodeInfo");
    expect(reply.status).toBe(504);
    expect(reply.json).toEqual({ error: "the node did not respond in time" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(fixture.engine.snapshot().upstream.timeouts).toBe(1);
  });

  it("recovers when the node answers again", async () => {
    fixture = await startProxy();
    fixture.node.fault = "reset";
    expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(502);
    fixture.node.fault = "none";
    expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(200);
    expect(fixture.engine.snapshot().upstream.reachable).toBe(true);
  });

  it("aborts the upstream request when the client goes away", async () => {
    fixture = await startProxy();
    fixture.node.delayMs = 1000;
    const socket = connect(fixture.port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write("GET /api/v1/info HTTP/1.1\r\nhost: node\r\n\r\n");
    await sleep(150);
    expect(fixture.node.received).toHaveLength(1);
    socket.destroy();
    await sleep(150);
    expect(fixture.node.aborted).toBe(1);
  });

  it("keeps serving after clients and the node misbehave", async () => {
    fixture = await startProxy({ upstream: { timeoutSeconds: 0.2 } });
    for (const fault of [
      "garbage",
      "resetMidResponse",
      "hang",
      "reset",
    ] as const) {
      fixture.node.fault = fault;
      await send({ port: fixture.port, path: "/api/v1/info" }).catch(
        () => undefined,
      );
    }
    fixture.node.fault = "none";
    expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(200);
  });
});

describe("WebSocket upgrades", () => {
  function openSocket(
    url: string,
    options: WebSocket.ClientOptions = {},
  ): Promise<{ ws?: WebSocket; status?: number }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, options);
      ws.once("open", () => resolve({ ws }));
      ws.once("unexpected-response", (_req, res) =>
        resolve({ status: res.statusCode ?? 0 }),
      );
      ws.once("error", () => resolve({}));
    });
  }

  it("forwards /mqtt and relays messages both ways", async () => {
    fixture = await startProxy();
    const { ws } = await openSocket(`ws://127.0.0.1:${fixture.port}/mqtt`);
    expect(ws).toBeDefined();
    const echoed = new Promise<string>((resolve) =>
      ws?.once("message", (data: Buffer) => resolve(data.toString())),
    );
    ws?.send("hello");
    expect(await echoed).toBe("echo:hello");
    ws?.close();
  });

  it("rejects an upgrade from a client outside the whitelist without 101", async () => {
    fixture = await startProxy();
    const result = await openSocket(`ws://127.0.0.1:${fixture.port}/mqtt`, {
      localAddress: "127.0.0.2",
    });
    expect(result.status).toBe(403);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("asks an upgrade for credentials", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const denied = await openSocket(`ws://127.0.0.1:${fixture.port}/mqtt`);
    const allowed = await openSocket(`ws://127.0.0.1:${fixture.port}/mqtt`, {
      headers: { authorization: basic("admin", "iota") },
    });
    expect(denied.status).toBe(401);
    expect(allowed.ws).toBeDefined();
    allowed.ws?.close();
  });

  it("does not wait for a body on an upgrade", async () => {
    fixture = await startProxy();
    const socket = connect(fixture.port, "127.0.0.1");
    const reply = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes("\r\n\r\n")) resolve(text);
      });
    });
    socket.write(
      "GET /mqtt HTTP/1.1\r\nhost: node\r\nconnection: Upgrade\r\nupgrade: websocket\r\n" +
        "sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\ncontent-length: 10\r\n\r\n",
    );
    expect((await reply).split("\r\n")[0]).toBe(
      "HTTP/1.1 101 Switching Protocols",
    );
    socket.destroy();
  });

  it("protects upgrades to routes outside the allowed list", async () => {
    fixture = await startProxy({ whitelist: { enabled: false } });
    const result = await openSocket(
      `ws://127.0.0.1:${fixture.port}/api/v1/peers`,
      { localAddress: "127.0.0.2" },
    );
    expect(result.status).toBe(403);
    expect(fixture.node.received).toHaveLength(0);
  });
});

describe("upgrades to a slow node", () => {
  it("get 504 and count as timeouts", async () => {
    fixture = await startProxy({ upstream: { timeoutSeconds: 0.3 } });
    fixture.node.fault = "hang";
    const socket = connect(fixture.port, "127.0.0.1");
    const reply = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
    });
    socket.write(
      "GET /api/v1/info HTTP/1.1\r\nhost: node\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n",
    );
    expect((await reply).split("\r\n")[0]).toBe("HTTP/1.1 504 Gateway Timeout");
    expect(fixture.engine.snapshot().upstream.timeouts).toBe(1);
  });
});
