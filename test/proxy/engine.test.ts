import { once } from "node:events";
import { request, type Agent } from "node:http";
import { Agent as HttpAgent } from "node:http";
import { createServer } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { Engine, ListenError } from "../../main/proxy/engine.js";
import { defaultSettings, parseSettings } from "../../shared/settings.js";
import { captureLogger } from "../support/logs.js";
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

function getWith(
  agent: Agent,
  port: number,
  path: string,
): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          localPort: req.socket?.localPort ?? 0,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("protection off", () => {
  it("forwards what protection would reject", async () => {
    fixture = await startProxy({
      protection: { enabled: false },
      basicAuth: HORNET_AUTH,
      rateLimit: { burst: 1, requestsPerSecond: 0.1 },
    });
    const attach = await sendCommand(fixture.port, "attachToTangle", {
      from: "127.0.0.2",
    });
    const peers = await send({
      port: fixture.port,
      path: "/api/v1/peers",
      from: "127.0.0.2",
    });
    const again = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect([attach.status, peers.status, again.status]).toEqual([
      200, 200, 200,
    ]);
    expect(fixture.node.received).toHaveLength(3);
  });

  it("keeps the body limit", async () => {
    fixture = await startProxy({
      protection: { enabled: false },
      limits: { maxBodyBytes: 50 },
    });
    const reply = await send({
      port: fixture.port,
      method: "POST",
      path: "/",
      body: "x".repeat(51),
      from: "127.0.0.2",
    });
    expect(reply.status).toBe(413);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("keeps the per-address connection cap", async () => {
    fixture = await startProxy({
      protection: { enabled: false },
      limits: { maxConnectionsPerClient: 2 },
    });
    const agent = new HttpAgent({ keepAlive: true, localAddress: "127.0.0.2" });
    fixture.node.delayMs = 200;
    const replies = await Promise.allSettled(
      [0, 1, 2].map(() => getWith(agent, fixture?.port ?? 0, "/api/v1/info")),
    );
    agent.destroy();
    const statuses = replies
      .map((reply) => (reply.status === "fulfilled" ? reply.value.status : 0))
      .sort();
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("says clearly in the log that protection is off", async () => {
    const log = captureLogger();
    fixture = await startProxy(
      { protection: { enabled: false } },
      { logger: log.logger },
    );
    const warning = log
      .entries()
      .find(
        (entry) =>
          entry.level === 40 && String(entry.msg).includes("protection is OFF"),
      );
    expect(warning).toBeDefined();
  });
});

describe("live settings", () => {
  it("applies a change to the next request on an open connection", async () => {
    fixture = await startProxy({ whitelist: { enabled: false } });
    const agent = new HttpAgent({
      keepAlive: true,
      maxSockets: 1,
      localAddress: "127.0.0.2",
    });
    const before = await getWith(agent, fixture.port, "/api/v1/info");
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      whitelist: { enabled: true, addresses: [] },
    });
    const after = await getWith(agent, fixture.port, "/api/v1/info");
    agent.destroy();
    expect(result.ok).toBe(true);
    expect(before.status).toBe(200);
    expect(after.status).toBe(403);
    expect(after.localPort).toBe(before.localPort);
  });

  it("rejects an invalid document whole and keeps the old settings", async () => {
    fixture = await startProxy({ whitelist: { addresses: ["127.0.0.2"] } });
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      whitelist: { enabled: true, addresses: ["127.0.0.3", "nonsense"] },
      rateLimit: { burst: 1 },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(
      'whitelist.addresses[1]: "nonsense"',
    );
    expect(fixture.engine.settings.whitelist.addresses).toEqual(["127.0.0.2"]);
    expect(fixture.engine.settings.rateLimit.burst).toBe(5);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
    expect(
      (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.3" }))
        .status,
    ).toBe(403);
  });

  it("rebinds when the listen address changes", async () => {
    fixture = await startProxy();
    const oldPort = fixture.port;
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      listen: { host: "::1", port: 0 },
    });
    expect(result.ok).toBe(true);
    expect(fixture.engine.address?.host).toBe("::1");
    const newPort = fixture.engine.address?.port ?? 0;
    expect(
      (await sendCommand(newPort, "getNodeInfo", { host: "::1" })).status,
    ).toBe(200);
    await expect(sendCommand(oldPort, "getNodeInfo")).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it("keeps the bound port when the settings name it", async () => {
    fixture = await startProxy();
    const port = fixture.port;
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      listen: { host: "127.0.0.1", port },
    });
    expect(result.ok).toBe(true);
    expect(fixture.engine.address?.port).toBe(port);
    expect((await sendCommand(port, "getNodeInfo")).status).toBe(200);
  });

  it("applies a new header limit on the same port", async () => {
    fixture = await startProxy();
    const port = fixture.port;
    const headers = { "x-padding": "x".repeat(6000) };
    expect((await send({ port, path: "/api/v1/info", headers })).status).toBe(
      200,
    );
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      limits: { ...fixture.engine.settings.limits, maxHeaderBytes: 4096 },
    });
    expect(result.ok).toBe(true);
    expect(fixture.engine.address?.port).toBe(port);
    expect((await send({ port, path: "/api/v1/info", headers })).status).toBe(
      431,
    );
    expect((await send({ port, path: "/api/v1/info" })).status).toBe(200);
  });

  it("keeps the old listener when the new port is taken", async () => {
    fixture = await startProxy();
    const blocker = createServer();
    blocker.listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const taken = (blocker.address() as { port: number }).port;
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      listen: { host: "127.0.0.1", port: taken },
    });
    blocker.close();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(`127.0.0.1:${taken}`);
    expect(fixture.engine.settings.listen.port).toBe(0);
    expect((await sendCommand(fixture.port, "getNodeInfo")).status).toBe(200);
  });

  it("switches the upstream", async () => {
    fixture = await startProxy();
    const other = await startProxy();
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      upstream: { url: other.node.url, timeoutSeconds: 5 },
    });
    expect(result.ok).toBe(true);
    await sendCommand(fixture.port, "getNodeInfo");
    expect(fixture.node.received).toHaveLength(0);
    expect(other.node.commands).toEqual(["getNodeInfo"]);
    await other.close();
  });
});

describe("starting", () => {
  it("names the address when the port is in use", async () => {
    const blocker = createServer();
    blocker.listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const port = (blocker.address() as { port: number }).port;
    const parsed = parseSettings({ listen: { host: "127.0.0.1", port } });
    const engine = new Engine(parsed.ok ? parsed.settings : defaultSettings());
    const failure = await engine.start().catch((error: unknown) => error);
    blocker.close();
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as Error).message).toBe(
      `cannot listen on 127.0.0.1:${port}: the port is already in use by another program`,
    );
  });

  it("lets requests in flight finish on stop", async () => {
    fixture = await startProxy();
    fixture.node.delayMs = 300;
    const pending = sendCommand(fixture.port, "getNodeInfo");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fixture.engine.stop(2000);
    expect((await pending).status).toBe(200);
    await expect(sendCommand(fixture.port, "getNodeInfo")).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe("stats", () => {
  it("counts outcomes, clients and recent rejections from real requests", async () => {
    fixture = await startProxy({
      basicAuth: HORNET_AUTH,
      whitelist: { addresses: ["127.0.0.2"] },
    });
    const good = basic("admin", "iota");
    await sendCommand(fixture.port, "getNodeInfo", {
      headers: { authorization: good },
    });
    await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
      headers: { authorization: good },
    });
    await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" });
    await sendCommand(fixture.port, "attachToTangle", {
      from: "127.0.0.3",
      headers: { authorization: good },
    });
    await send({ port: fixture.port, method: "OPTIONS", path: "/" });

    const stats = fixture.engine.snapshot();
    expect(stats.requests).toBe(5);
    expect(stats.forwarded["2xx"]).toBe(2);
    expect(stats.rejected.unauthorized).toBe(1);
    expect(stats.rejected.notWhitelisted).toBe(1);
    expect(stats.preflights).toBe(1);
    expect(stats.latency.count).toBe(2);
    expect(stats.latency.p99).toBeGreaterThan(0);
    expect(stats.series).toHaveLength(300);
    expect(stats.series.reduce((sum, point) => sum + point.forwarded, 0)).toBe(
      2,
    );
    expect(stats.series.reduce((sum, point) => sum + point.rejected, 0)).toBe(
      2,
    );

    const remote = stats.clients.find((row) => row.address === "127.0.0.2");
    expect(remote).toMatchObject({
      requests: 2,
      forwarded: 1,
      rejections: { unauthorized: 1 },
      whitelisted: true,
    });
    expect(
      stats.recentRejections.map((event) => [
        event.address,
        event.reason,
        event.target,
      ]),
    ).toEqual([
      ["127.0.0.3", "notWhitelisted", "/"],
      ["127.0.0.2", "unauthorized", "/"],
    ]);
  });

  it("names the command of a rejected legacy call", async () => {
    fixture = await startProxy({ whitelist: { enabled: false } });
    await sendCommand(fixture.port, "attachToTangle", { from: "127.0.0.2" });
    expect(fixture.engine.snapshot().recentRejections[0]).toMatchObject({
      reason: "commandNotAllowed",
      target: "attachToTangle",
      status: 403,
      method: "POST",
    });
  });
});

describe("logging", () => {
  it("summarises rejections instead of one line each", async () => {
    const log = captureLogger();
    fixture = await startProxy({}, { logger: log.logger });
    for (let i = 0; i < 30; i++)
      await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" });
    await fixture.engine.stop(100);
    const summaries = log
      .entries()
      .filter((entry) => String(entry.msg).startsWith("rejected"));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.msg).toBe("rejected 30 requests in the last 10 s");
    expect(summaries[0]?.rejected).toEqual({ notWhitelisted: 30 });
    expect(log.lines.length).toBeLessThan(10);
  });

  it("never logs credentials", async () => {
    const log = captureLogger("trace");
    fixture = await startProxy(
      {
        basicAuth: HORNET_AUTH,
        whitelist: { enabled: false },
        lockout: { maxFailures: 2 },
      },
      { logger: log.logger },
    );
    const secret = basic("admin", "hunter2-secret");
    for (let i = 0; i < 3; i++)
      await sendCommand(fixture.port, "getNodeInfo", {
        from: "127.0.0.2",
        headers: { authorization: secret },
      });
    await fixture.engine.update({
      ...fixture.engine.settings,
      basicAuth: { ...HORNET_AUTH, passwordHash: "0".repeat(64) },
    });
    await fixture.engine.stop(100);
    const text = log.lines.join("\n");
    expect(log.lines.length).toBeGreaterThan(3);
    for (const forbidden of [
      "hunter2",
      secret.slice(6),
      HORNET_AUTH.passwordHash,
      HORNET_AUTH.passwordSalt,
      "0".repeat(64),
    ]) {
      expect(text).not.toContain(forbidden);
    }
  });
});

describe("lockout logging", () => {
  it("summarises lockouts from many addresses", async () => {
    const log = captureLogger();
    fixture = await startProxy(
      {
        basicAuth: HORNET_AUTH,
        whitelist: { enabled: false },
        lockout: { maxFailures: 1 },
      },
      { logger: log.logger },
    );
    for (let i = 10; i < 30; i++) {
      await sendCommand(fixture.port, "getNodeInfo", {
        from: `127.0.5.${i}`,
        headers: { authorization: basic("admin", "guess") },
      });
    }
    await fixture.engine.stop(100);
    const lines = log
      .entries()
      .filter((entry) => String(entry.msg).includes("locked out"));
    expect(
      lines.filter(
        (entry) =>
          entry.msg ===
          "locked out a client after repeated failed authentication",
      ),
    ).toHaveLength(5);
    expect(
      lines.filter(
        (entry) =>
          entry.msg ===
          "locked out 20 clients in the last 10 s after repeated failed authentication",
      ),
    ).toHaveLength(1);
    expect(fixture.engine.snapshot().rejected.unauthorized).toBe(20);
  });
});
