import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { EngineSupervisor } from "../../main/engine-supervisor.js";
import { NODE_CHECK_USER_AGENT } from "../../main/proxy/node-info.js";
import type { EngineStatus, NodeStatus } from "../../shared/app-state.js";
import { silentLogger } from "../../shared/logger.js";
import { parseSettings, type Settings } from "../../shared/settings.js";
import type { StatsSnapshot } from "../../shared/stats.js";
import { forkedEngines, type ForkedEngines } from "../support/engine-fork.js";
import { sendCommand } from "../support/http.js";
import { startTestNode, type TestIotaNode } from "../support/iota-node.js";

let node: TestIotaNode | undefined;
let engines: ForkedEngines | undefined;
let supervisor: EngineSupervisor | undefined;

afterEach(async () => {
  await supervisor?.stop(500);
  engines?.killAll();
  await node?.stop();
  supervisor = undefined;
  engines = undefined;
  node = undefined;
});

async function setUp(): Promise<{ settings: Settings }> {
  node = await startTestNode();
  const parsed = parseSettings({
    listen: { host: "127.0.0.1", port: 0 },
    upstream: { url: node.url },
    whitelist: { addresses: ["127.0.0.3"] },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  engines = forkedEngines();
  supervisor = new EngineSupervisor(engines.spawn, {
    logger: silentLogger(),
    backoffMs: [50, 100, 200],
    maxCrashes: 3,
    crashWindowMs: 60_000,
  });
  return { settings: parsed.settings };
}

function waitForStatus(
  target: EngineSupervisor,
  predicate: (status: EngineStatus) => boolean,
  timeoutMs = 10_000,
): Promise<EngineStatus> {
  if (predicate(target.status)) return Promise.resolve(target.status);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`status stayed ${JSON.stringify(target.status)}`)),
      timeoutMs,
    );
    const listener = (status: EngineStatus) => {
      if (!predicate(status)) return;
      clearTimeout(timer);
      target.off("status", listener);
      resolve(status);
    };
    target.on("status", listener);
  });
}

function portOf(status: EngineStatus): number {
  return Number(new URL(status.listenUrl ?? "http://x:0").port);
}

function proxiedCommands(target: TestIotaNode): string[] {
  return target.received
    .filter(
      (request) => request.headers["user-agent"] !== NODE_CHECK_USER_AGENT,
    )
    .flatMap((request) => (request.command ? [request.command] : []));
}

describe("engine process under the supervisor", () => {
  it("serves requests and reports stats and node status", async () => {
    const { settings } = await setUp();
    const running = supervisor as EngineSupervisor;
    const nodeStatus = once(running, "node") as Promise<[NodeStatus]>;
    running.start(settings);
    const status = await waitForStatus(running, (s) => s.phase === "running");

    const allowed = await sendCommand(portOf(status), "getNodeInfo", {
      from: "127.0.0.3",
    });
    const rejected = await sendCommand(portOf(status), "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect(allowed.status).toBe(200);
    expect(rejected.status).toBe(403);
    expect(proxiedCommands(node as TestIotaNode)).toEqual(["getNodeInfo"]);

    const [stats] = (await once(running, "stats")) as [StatsSnapshot];
    expect(stats.requests).toBe(2);
    expect(stats.rejected.notWhitelisted).toBe(1);
    const [info] = await nodeStatus;
    expect(info).toMatchObject({
      reachable: true,
      name: "HORNET",
      version: "1.2.1",
      api: "rest",
    });
  });

  it("restarts a killed engine with unchanged settings", async () => {
    const { settings } = await setUp();
    const running = supervisor as EngineSupervisor;
    running.start(settings);
    const first = await waitForStatus(running, (s) => s.phase === "running");
    const firstPid = engines?.pids[0];

    engines?.crashLatest();
    const restarting = await waitForStatus(
      running,
      (s) => s.phase === "restarting",
    );
    expect(restarting.crashes).toBe(1);
    expect(restarting.error).toContain("was killed");
    const second = await waitForStatus(running, (s) => s.phase === "running");

    expect(engines?.pids).toHaveLength(2);
    expect(engines?.pids[1]).not.toBe(firstPid);
    expect(second.listenUrl).not.toBe(undefined);
    // The whitelist of the first engine still applies in the second one.
    const allowed = await sendCommand(portOf(second), "getNodeInfo", {
      from: "127.0.0.3",
    });
    const rejected = await sendCommand(portOf(second), "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect(allowed.status).toBe(200);
    expect(rejected.status).toBe(403);
    expect(proxiedCommands(node as TestIotaNode)).toEqual(["getNodeInfo"]);
    // The old port is closed with the old process.
    await expect(sendCommand(portOf(first), "getNodeInfo")).rejects.toThrow();
  });

  it("gives up after repeated crashes", async () => {
    const { settings } = await setUp();
    const running = supervisor as EngineSupervisor;
    running.start(settings);
    for (let crash = 1; crash <= 2; crash++) {
      await waitForStatus(running, (s) => s.phase === "running");
      engines?.crashLatest();
      await waitForStatus(
        running,
        (s) => s.phase === "restarting" && s.crashes === crash,
      );
    }
    await waitForStatus(running, (s) => s.phase === "running");
    engines?.crashLatest();
    const failed = await waitForStatus(running, (s) => s.phase === "failed");

    expect(failed.crashes).toBe(3);
    expect(failed.error).toContain("stopped restarting it");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(engines?.pids).toHaveLength(3);
    expect(running.status.phase).toBe("failed");
  });

  it("reports a port in use without restarting", async () => {
    const { settings } = await setUp();
    const running = supervisor as EngineSupervisor;
    const other = createServer().listen(0, "127.0.0.1");
    await once(other, "listening");
    const port = (other.address() as AddressInfo).port;
    try {
      running.start({ ...settings, listen: { host: "127.0.0.1", port } });
      const failed = await waitForStatus(running, (s) => s.phase === "failed");

      expect(failed.error).toContain(`127.0.0.1:${port}`);
      expect(failed.error).toContain("already in use");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(engines?.pids).toHaveLength(1);
    } finally {
      other.close();
    }
  });
});
