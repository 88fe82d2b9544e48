/**
 * Scenario 1: throughput and latency of forwarded requests, Node Shield
 * against the node itself and against nginx with the same protections.
 */
import { legacyRequest, type BlastResult } from "../blaster.js";
import {
  blastFrom,
  engineWith,
  GOOD_AUTHORIZATION,
  HORNET_AUTH,
  median,
  WHITELISTED,
  type Timing,
} from "../common.js";
import { Nginx } from "../nginx.js";
import { startMinimalProxy, type Worker } from "../processes.js";
import { wrk, writeScript, type WrkResult } from "../wrk.js";

export interface TargetFigures {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** p50 with one connection. */
  p50SingleMs: number;
  non200: number;
  runs: {
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    p50SingleMs: number;
  }[];
}

export interface ThroughputResult {
  targets: TargetFigures[];
  wrkCrossCheck: { target: string; runs: WrkResult[] }[];
  settings: Record<string, unknown>;
  commands: string[];
}

const NGINX_PORT = 18_481;

/** The settings of Node Shield in this scenario: every protection on, the limit out of reach. */
export const THROUGHPUT_SETTINGS = {
  basicAuth: HORNET_AUTH,
  whitelist: { enabled: true, addresses: [WHITELISTED] },
  rateLimit: { enabled: true, requestsPerSecond: 100_000, burst: 100_000 },
};

export async function throughput(
  upstream: Worker,
  timing: Timing,
): Promise<ThroughputResult> {
  const shield = await engineWith(upstream.port, THROUGHPUT_SETTINGS);
  const nginx = await Nginx.start({
    upstreamPort: upstream.port,
    port: NGINX_PORT,
    rate: "1000000r/s",
    burst: 1_000_000,
    auth: true,
    allow: [WHITELISTED],
  });
  const minimal = await startMinimalProxy(upstream.port);
  const targets = [
    { target: "direct to the node", port: upstream.port },
    {
      target: "nginx recipe + auth_basic (apr1) + allow/deny",
      port: NGINX_PORT,
    },
    {
      target: "Node Shield: authentication, whitelist, rate limit",
      port: shield.port,
    },
    { target: "reference: minimal Node proxy, no checks", port: minimal.port },
  ];
  const request = legacyRequest("getNodeInfo", {
    authorization: GOOD_AUTHORIZATION,
    "x-test-client": "throughput",
  });
  const load = (port: number, connections: number, seconds: number) =>
    blastFrom({
      host: "127.0.0.1",
      port,
      request,
      connections,
      durationMs: seconds * 1000,
      localAddresses: [WHITELISTED],
    });

  const runs = new Map<string, { many: BlastResult; one: BlastResult }[]>();
  for (const { port } of targets) await load(port, 50, 1);
  for (let round = 0; round < timing.rounds; round++) {
    for (const { target, port } of targets) {
      const many = await load(port, 50, timing.seconds);
      const one = await load(port, 1, Math.max(1, timing.seconds - 1));
      runs.set(target, [...(runs.get(target) ?? []), { many, one }]);
    }
  }

  const script = await writeScript(GOOD_AUTHORIZATION);
  const wrkCrossCheck = [];
  for (const { target, port } of [targets[0], targets[2]].filter(
    (entry) => entry !== undefined,
  )) {
    wrkCrossCheck.push({
      target,
      runs: [
        await wrk(`http://127.0.0.1:${port}/`, script, 50, timing.seconds),
      ],
    });
  }

  await shield.stop();
  await minimal.stop();
  await nginx.stop();
  return {
    targets: targets.map(({ target }) =>
      summarise(target, runs.get(target) ?? []),
    ),
    wrkCrossCheck,
    settings: THROUGHPUT_SETTINGS,
    commands: [
      `load generator (test/bench/blaster.ts): 50 keep-alive connections from ${WHITELISTED}, one request in flight each, ${timing.seconds} s per run, then 1 connection for ${Math.max(1, timing.seconds - 1)} s`,
      "nginx: limit_req zone rate=1000000r/s burst=1000000 nodelay; auth_basic with an apr1 htpasswd entry; allow 127.0.0.2; deny all; upstream keepalive 64; worker_processes auto",
      "minimal Node proxy (test/bench/minimal-proxy.ts): Node's HTTP server and the same undici pool, forwarding without any check; it marks the cost of the Node HTTP stack itself",
      ...wrkCrossCheck.flatMap((entry) =>
        entry.runs.map(
          (run) =>
            `${run.command} (cross-check from 127.0.0.1, ${entry.target})`,
        ),
      ),
    ],
  };
}

function summarise(
  target: string,
  runs: { many: BlastResult; one: BlastResult }[],
): TargetFigures {
  const figures = runs.map(({ many, one }) => ({
    requestsPerSecond: many.requestsPerSecond,
    p50Ms: many.latencyMs.p50,
    p99Ms: many.latencyMs.p99,
    p50SingleMs: one.latencyMs.p50,
  }));
  const non200 = runs.reduce(
    (sum, { many, one }) =>
      sum +
      many.completed -
      (many.statuses["200"] ?? 0) +
      one.completed -
      (one.statuses["200"] ?? 0),
    0,
  );
  return {
    target,
    requestsPerSecond: median(figures.map((run) => run.requestsPerSecond)),
    p50Ms: median(figures.map((run) => run.p50Ms)),
    p99Ms: median(figures.map((run) => run.p99Ms)),
    p50SingleMs: median(figures.map((run) => run.p50SingleMs)),
    non200,
    runs: figures,
  };
}
