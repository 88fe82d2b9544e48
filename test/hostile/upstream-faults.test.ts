import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import {
  send,
  sendCommand,
  startProxy,
  type ProxyFixture,
} from "../support/http.js";
import { TestIotaNode, type NodeFault } from "../support/iota-node.js";
import { exchange, rawRequest, sleep } from "../support/raw-http.js";

const SETTINGS = {
  upstream: { timeoutSeconds: 0.5 },
  rateLimit: { enabled: false },
};

let fixture: ProxyFixture | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  for (const server of servers.splice(0)) server.close();
});

/** Starts a TCP server that accepts connections and never responds. */
async function startSilentServer(): Promise<{
  port: number;
  sockets: Socket[];
}> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, sockets };
}

// Each case: a fault, the status and the stats counter it must raise.
const FAULTS: [NodeFault, number, "errors" | "timeouts"][] = [
  ["hang", 504, "timeouts"],
  ["reset", 502, "errors"],
  ["garbage", 502, "errors"],
  ["resetMidResponse", 502, "errors"],
];

describe("upstream faults", () => {
  it.each(FAULTS)("%s gets %i and recovers", async (fault, status, counter) => {
    fixture = await startProxy(SETTINGS);
    fixture.node.fault = fault;
    const failed = await sendCommand(fixture.port, "getNodeInfo");

    expect(failed.status).toBe(status);
    expect(failed.headers["content-type"]).toMatch(/^application\/json/);
    expect(failed.json).toHaveProperty("error");
    const during = fixture.engine.snapshot().upstream;
    expect(during[counter]).toBe(1);
    expect(during.reachable).toBe(false);
    expect(during.lastError).not.toBe(null);

    fixture.node.fault = "none";
    const recovered = await sendCommand(fixture.port, "getNodeInfo");
    expect(recovered.status).toBe(200);
    expect(fixture.engine.snapshot().upstream.reachable).toBe(true);
  });

  it("node down gets 502 until it is back", async () => {
    fixture = await startProxy(SETTINGS);
    const port = fixture.node.port;
    await fixture.node.stop();

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await sendCommand(fixture.port, "getNodeInfo")).status);
    expect(statuses).toEqual([502, 502, 502]);
    const down = fixture.engine.snapshot().upstream;
    expect(down.errors).toBe(3);
    expect(down.reachable).toBe(false);
    expect(down.lastError).toContain("ECONNREFUSED");

    const node = await new TestIotaNode().start(port);
    try {
      const back = await sendCommand(fixture.port, "getNodeInfo");
      expect(back.status).toBe(200);
      expect(node.commands).toEqual(["getNodeInfo"]);
      expect(fixture.engine.snapshot().upstream.reachable).toBe(true);
    } finally {
      await node.stop();
    }
  });

  it("silent TCP server gets 504", async () => {
    const silent = await startSilentServer();
    fixture = await startProxy({
      ...SETTINGS,
      upstream: {
        ...SETTINGS.upstream,
        url: `http://127.0.0.1:${silent.port}`,
      },
    });
    const reply = await sendCommand(fixture.port, "getNodeInfo");

    expect(reply.status).toBe(504);
    expect(reply.json).toHaveProperty("error");
    expect(silent.sockets.length).toBeGreaterThan(0);
    expect(fixture.engine.snapshot().upstream.timeouts).toBe(1);
  });

  it("streamed response cut short is counted", async () => {
    fixture = await startProxy(SETTINGS);
    fixture.node.fault = "resetMidStream";
    const result = await exchange(
      fixture.port,
      rawRequest("GET", "/api/v1/info"),
      {
        from: "127.0.0.1",
      },
    );

    expect(result.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(result.text).not.toContain("\r\n0\r\n\r\n");
    expect(result.closed).toBe(true);
    const upstream = fixture.engine.snapshot().upstream;
    expect(upstream.errors).toBe(1);
    expect(upstream.reachable).toBe(false);
  });

  it("client leaving is not a node failure", async () => {
    fixture = await startProxy(SETTINGS);
    fixture.node.delayMs = 300;
    const result = await exchange(
      fixture.port,
      rawRequest("GET", "/api/v1/info"),
      {
        from: "127.0.0.1",
        timeoutMs: 100,
      },
    );
    await sleep(400);

    expect(result.responses).toHaveLength(0);
    const upstream = fixture.engine.snapshot().upstream;
    expect(upstream.errors).toBe(0);
    expect(upstream.timeouts).toBe(0);
  });

  it("a flood against a hanging node stays bounded", async () => {
    fixture = await startProxy({
      ...SETTINGS,
      limits: { maxUpstreamRequests: 4 },
    });
    fixture.node.fault = "hang";
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        send({ port: fixture!.port, path: "/api/v1/info" }),
      ),
    );

    const statuses = new Set(replies.map((reply) => reply.status));
    expect(
      [...statuses].every((status) => status === 504 || status === 503),
    ).toBe(true);
    expect(replies.every((reply) => reply.json !== undefined)).toBe(true);
    fixture.node.fault = "none";
    const after = await sendCommand(fixture.port, "getNodeInfo");
    expect(after.status).toBe(200);
    expect(fixture.engine.snapshot().tables.upstreamQueue.size).toBe(0);
  });
});
