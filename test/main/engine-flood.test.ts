import { spawn } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";

import { afterEach, describe, expect, it } from "vitest";

import { EngineSupervisor } from "../../main/engine-supervisor.js";
import { silentLogger } from "../../shared/logger.js";
import { parseSettings } from "../../shared/settings.js";
import type { StatsSnapshot } from "../../shared/stats.js";
import { forkedEngines, type ForkedEngines } from "../support/engine-fork.js";
import { sendCommand } from "../support/http.js";
import { startTestNode, type TestIotaNode } from "../support/iota-node.js";

/**
 * A load generator in its own process, so that the test process measures
 * only the supervisor's side. Bounded in time and in requests.
 */
const FLOOD = `
const http = require("node:http");
const [port, durationMs, maxRequests] = process.argv.slice(1).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 32, localAddress: "127.0.0.2" });
const deadline = Date.now() + durationMs;
let sent = 0;
let done = 0;
function next() {
  if (Date.now() > deadline || sent >= maxRequests) {
    if (done === sent) { process.stdout.write(String(done)); agent.destroy(); }
    return;
  }
  sent++;
  const req = http.request({ port, method: "POST", path: "/", agent,
    headers: { "content-type": "application/json", "x-iota-api-version": "1" } }, (res) => {
    res.resume();
    res.on("end", () => { done++; next(); });
  });
  req.on("error", () => { done++; next(); });
  req.end('{"command":"getNodeInfo"}');
}
for (let i = 0; i < 32; i++) next();
`;

let node: TestIotaNode | undefined;
let engines: ForkedEngines | undefined;
let supervisor: EngineSupervisor | undefined;

afterEach(async () => {
  await supervisor?.stop(500);
  engines?.killAll();
  await node?.stop();
});

describe("engine under a flood", () => {
  it("supervisor stays responsive and stats keep coming", async () => {
    node = await startTestNode();
    const parsed = parseSettings({
      listen: { host: "127.0.0.1", port: 0 },
      upstream: { url: node.url },
    });
    if (!parsed.ok) throw new Error(parsed.message);
    engines = forkedEngines();
    const running = new EngineSupervisor(engines.spawn, {
      logger: silentLogger(),
    });
    supervisor = running;
    running.start(parsed.settings);
    await new Promise<void>((resolve) =>
      running.on("status", (status) => {
        if (status.phase === "running") resolve();
      }),
    );
    const port = Number(new URL(running.status.listenUrl ?? "").port);

    const snapshots: StatsSnapshot[] = [];
    running.on("stats", (snapshot) => snapshots.push(snapshot));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const flood = spawn(
      process.execPath,
      ["-e", FLOOD, String(port), "3000", "50000"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    flood.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => flood.once("exit", resolve));
    delay.disable();

    const answered = Number(output);
    console.log(
      `flood: ${answered} requests in 3 s, ${snapshots.length} snapshots, max event-loop delay ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    expect(answered).toBeGreaterThan(500);
    // Stats are sent once a second: at least two arrived during the 3 s flood.
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    const last = snapshots.at(-1) as StatsSnapshot;
    expect(last.rejected.notWhitelisted).toBeGreaterThan(200);
    expect(delay.max / 1e6).toBeLessThan(250);
    // Not whitelisted: none of the flood reached the node.
    expect(node.commands).toEqual([]);

    const after = await sendCommand(port, "getNodeInfo");
    expect(after.status).toBe(200);
    expect(node.commands).toEqual(["getNodeInfo"]);
    expect(running.status.phase).toBe("running");
  });
});
