import { connect, type Socket } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { startEngine } from "../../main/proxy/engine.js";
import { parseSettings } from "../../shared/settings.js";
import { send, startProxy, type ProxyFixture } from "../support/http.js";
import { exchange, rawRequest, sleep } from "../support/raw-http.js";

// Short timeouts keep the suite fast. The engine has Node check them once a
// second (connectionsCheckingInterval), so a timeout fires up to a second late.
const SETTINGS = {
  whitelist: { enabled: false },
  rateLimit: { enabled: false },
  limits: {
    headersTimeoutSeconds: 1,
    requestTimeoutSeconds: 2,
    keepAliveTimeoutSeconds: 1,
    maxConnectionsPerClient: 20,
    maxHeaderBytes: 4096,
  },
};

let fixture: ProxyFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Sends a request from another client every 200 ms until `done` settles. */
async function keepServing(
  port: number,
  done: Promise<unknown>,
): Promise<number[]> {
  const statuses: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const reply = await send({ port, from: "127.0.0.3", path: "/health" });
    statuses.push(reply.status);
    await sleep(200);
  }
  return statuses;
}

function openIdle(port: number, from: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1", localAddress: from });
    socket.on("error", () => undefined);
    socket.resume();
    socket.on("connect", () => resolve(socket));
  });
}

describe("slow and greedy clients", () => {
  it("headers one byte at a time get 408", async () => {
    fixture = await startProxy(SETTINGS);
    const request = rawRequest("GET", "/health", { "X-Pad": "a".repeat(200) });
    const slow = exchange(fixture.port, [...request], {
      pauseMs: 20,
      timeoutMs: 6000,
    });
    const served = await keepServing(fixture.port, slow);
    const result = await slow;

    expect(result.responses[0]?.status).toBe(408);
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeLessThan(3500);
    expect(served.length).toBeGreaterThan(3);
    expect(served.every((status) => status === 200)).toBe(true);
    expect(fixture.node.received).toHaveLength(served.length);
    expect(fixture.engine.snapshot().rejected.timeout).toBe(1);
  });

  it("a slow body gets 408", async () => {
    fixture = await startProxy(SETTINGS);
    const body = '{"command":"getNodeInfo"}';
    const head = rawRequest("POST", "/", { "X-IOTA-API-Version": "1" });
    const slow = exchange(
      fixture.port,
      [head.replace("Content-Length: 0", "Content-Length: 25"), ...body],
      { pauseMs: 300, timeoutMs: 6000 },
    );
    const served = await keepServing(fixture.port, slow);
    const result = await slow;

    expect(result.responses[0]?.status).toBe(408);
    expect(result.responses[0]?.json).toHaveProperty("error");
    expect(result.closed).toBe(true);
    expect(served.every((status) => status === 200)).toBe(true);
    expect(fixture.node.commands).toEqual([]);
  });

  it("a body that never comes gets 408", async () => {
    fixture = await startProxy(SETTINGS);
    const head = rawRequest("POST", "/", { "X-IOTA-API-Version": "1" });
    const result = await exchange(
      fixture.port,
      head.replace("Content-Length: 0", "Content-Length: 25"),
      { timeoutMs: 6000 },
    );

    expect(result.responses[0]?.status).toBe(408);
    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("hundreds of idle connections hit the cap", async () => {
    fixture = await startProxy(SETTINGS);
    const port = fixture.port;
    const sockets = await Promise.all(
      Array.from({ length: 200 }, () => openIdle(port, "127.0.0.2")),
    );
    const closed = sockets.map(
      (socket) => new Promise((resolve) => socket.once("close", resolve)),
    );
    await sleep(200);

    const snapshot = fixture.engine.snapshot();
    expect(snapshot.rejected.connectionLimit).toBe(180);
    expect(snapshot.openConnections).toBe(20);
    const reply = await send({ port, from: "127.0.0.3", path: "/health" });
    expect(reply.status).toBe(200);

    await Promise.race([Promise.all(closed), sleep(4000)]);
    expect(sockets.filter((socket) => !socket.destroyed)).toHaveLength(0);
    expect(fixture.engine.snapshot().rejected.timeout).toBe(20);
    expect(fixture.node.received).toHaveLength(1);
  });

  it("idle keep-alive connections are closed", async () => {
    fixture = await startProxy(SETTINGS);
    const result = await exchange(fixture.port, rawRequest("GET", "/health"), {
      timeoutMs: 4000,
    });

    expect(result.responses.map((response) => response.status)).toEqual([200]);
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeLessThan(3500);
  });

  it.each([
    ["one large header", { "X-Pad": "a".repeat(5000) }],
    [
      "many small headers",
      Object.fromEntries(
        Array.from({ length: 400 }, (_, i) => [`X-H${i}`, "abcdefgh"]),
      ),
    ],
    ["a long request target", {}],
  ])("%s gets 431", async (name, headers) => {
    fixture = await startProxy(SETTINGS);
    const target =
      name === "a long request target"
        ? `/health?${"a".repeat(5000)}`
        : "/health";
    const result = await exchange(
      fixture.port,
      rawRequest("GET", target, headers),
      {
        responses: 1,
      },
    );

    expect(result.responses[0]?.status).toBe(431);
    expect(fixture.node.received).toHaveLength(0);
    const reply = await send({
      port: fixture.port,
      from: "127.0.0.3",
      path: "/health",
    });
    expect(reply.status).toBe(200);
  });

  it("oversized headers trickled in get 431", async () => {
    fixture = await startProxy(SETTINGS);
    const request = rawRequest("GET", "/health", { "X-Pad": "a".repeat(5000) });
    const pieces = request.match(/[^]{1,500}/g) ?? [];
    const result = await exchange(fixture.port, pieces, {
      pauseMs: 10,
      responses: 1,
    });

    expect(result.responses[0]?.status).toBe(431);
    expect(fixture.node.received).toHaveLength(0);
  });
});

describe("timeout settings", () => {
  it("fractional seconds start the engine", async () => {
    const engine = await startEngine({
      listen: { host: "127.0.0.1", port: 0 },
      limits: {
        headersTimeoutSeconds: 1.0005,
        requestTimeoutSeconds: 2.5,
        keepAliveTimeoutSeconds: 0.25,
      },
    });
    expect(engine.address?.port).toBeGreaterThan(0);
    await engine.stop(100);
  });

  it("headers timeout past request timeout is an error", () => {
    const parsed = parseSettings({
      limits: { headersTimeoutSeconds: 40, requestTimeoutSeconds: 30 },
    });

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((issue) => issue.path)).toEqual([
      "limits.headersTimeoutSeconds",
    ]);
    expect(parsed.message).toContain("limits.requestTimeoutSeconds");
  });
});
