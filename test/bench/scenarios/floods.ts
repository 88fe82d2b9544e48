/**
 * Scenario 3: flood survival. An attacker sends as fast as it can from one
 * address and then from 1,000, while a legitimate client sends 5 requests a
 * second from a whitelisted address. Node Shield and nginx face the same
 * floods in three setups.
 */
import {
  legacyRequest,
  loopbackAddresses,
  type BlastResult,
} from "../blaster.js";
import {
  blastFrom,
  engineWith,
  GOOD_AUTHORIZATION,
  HORNET_AUTH,
  WHITELISTED,
  type Timing,
} from "../common.js";
import { Nginx } from "../nginx.js";
import { sampleRss, type Worker } from "../processes.js";

export interface FloodRun {
  variant: string;
  attacker: string;
  target: "Node Shield" | "nginx";
  legitimate: {
    sent: number;
    succeeded: number;
    successRate: number;
    p99Ms: number;
    statuses: Record<string, number>;
  };
  attack: {
    sent: number;
    statuses: Record<string, number>;
    reachedNode: number;
    allowedByLimits: number;
  };
  rss: { timeMs: number; rssBytes: number }[];
}

interface Variant {
  name: string;
  /** Node Shield settings. */
  settings: Record<string, unknown>;
  nginx: { auth: boolean; allow: string[] };
  /** Whether the attacker's requests are valid, so that only the rate limit stops them. */
  attackerValid: boolean;
}

const RATE = { requestsPerSecond: 5, burst: 5 };
const VARIANTS: Variant[] = [
  {
    name: "whitelist on",
    settings: {
      whitelist: { enabled: true, addresses: [WHITELISTED] },
      rateLimit: RATE,
    },
    nginx: { auth: false, allow: [WHITELISTED] },
    attackerValid: false,
  },
  {
    name: "whitelist off, authentication on",
    settings: {
      whitelist: { enabled: false },
      basicAuth: HORNET_AUTH,
      rateLimit: RATE,
    },
    nginx: { auth: true, allow: [] },
    attackerValid: false,
  },
  {
    name: "public node: whitelist and authentication off",
    settings: { whitelist: { enabled: false }, rateLimit: RATE },
    nginx: { auth: false, allow: [] },
    attackerValid: true,
  },
];
const ATTACKERS = [
  { name: "1 address", addresses: ["127.3.0.1"] },
  { name: "1,000 addresses", addresses: loopbackAddresses(1000, 4) },
];
const NGINX_PORT = 18_482;
const ATTACK_CONNECTIONS = 200;

export async function floods(
  upstream: Worker,
  timing: Timing,
): Promise<FloodRun[]> {
  const results: FloodRun[] = [];
  for (const variant of VARIANTS) {
    for (const attacker of ATTACKERS) {
      const shield = await engineWith(upstream.port, variant.settings);
      results.push(
        await flood(
          upstream,
          shield.port,
          [shield.pid],
          variant,
          attacker,
          "Node Shield",
          timing,
        ),
      );
      await shield.stop();

      const nginx = await Nginx.start({
        upstreamPort: upstream.port,
        port: NGINX_PORT,
        rate: "5r/s",
        burst: 5,
        ...variant.nginx,
      });
      results.push(
        await flood(
          upstream,
          NGINX_PORT,
          await nginx.pids(),
          variant,
          attacker,
          "nginx",
          timing,
        ),
      );
      await nginx.stop();
    }
  }
  return results;
}

async function flood(
  upstream: Worker,
  port: number,
  pids: number[],
  variant: Variant,
  attacker: { name: string; addresses: string[] },
  target: FloodRun["target"],
  timing: Timing,
): Promise<FloodRun> {
  await upstream.ask("reset");
  const durationMs = timing.floodSeconds * 1000;
  const samplers = pids.map((pid) => sampleRss(pid));
  const legitimateRequest = legacyRequest("getNodeInfo", {
    authorization: GOOD_AUTHORIZATION,
    "x-test-client": "legitimate",
  });
  const attackRequest = legacyRequest("getNodeInfo", {
    ...(variant.attackerValid
      ? {}
      : {
          authorization: `Basic ${Buffer.from("admin:wrong").toString("base64")}`,
        }),
    "x-test-client": "attacker",
  });

  const attack = blastFrom({
    host: "127.0.0.1",
    port,
    request: attackRequest,
    connections: ATTACK_CONNECTIONS,
    durationMs,
    localAddresses: attacker.addresses,
    requestsPerConnection: attacker.addresses.length > 1 ? 20 : undefined,
  });
  // The legitimate client starts once the flood is under way.
  await new Promise((resolve) => setTimeout(resolve, 500));
  // The legitimate client has a process of its own, as the attacker has.
  const legitimate: BlastResult = await blastFrom({
    host: "127.0.0.1",
    port,
    request: legitimateRequest,
    connections: 1,
    durationMs: durationMs - 1000,
    localAddresses: [WHITELISTED],
    ratePerSecond: 5,
  });
  const attackResult = await attack;
  const { tally } = await upstream.ask<{ tally: Record<string, number> }>(
    "tally",
  );
  const samples = samplers.map((sampler) => sampler.stop());

  const used = Math.min(attacker.addresses.length, attackResult.sent);
  const allowed = variant.attackerValid
    ? Math.ceil(
        used * (RATE.burst + (RATE.requestsPerSecond * durationMs) / 1000),
      )
    : 0;
  const succeeded = legitimate.statuses["200"] ?? 0;
  return {
    variant: variant.name,
    attacker: attacker.name,
    target,
    legitimate: {
      sent: legitimate.sent,
      succeeded,
      successRate: legitimate.sent === 0 ? 0 : succeeded / legitimate.sent,
      p99Ms: legitimate.latencyMs.p99,
      statuses: legitimate.statuses,
    },
    attack: {
      sent: attackResult.sent,
      statuses: attackResult.statuses,
      reachedNode: tally.attacker ?? 0,
      allowedByLimits: allowed,
    },
    rss: sumSamples(samples),
  };
}

/** Adds up the RSS of several processes (nginx's master and workers) sample by sample. */
function sumSamples(
  samples: { timeMs: number; rssBytes: number }[][],
): { timeMs: number; rssBytes: number }[] {
  const first = samples[0] ?? [];
  return first.map((sample, index) => ({
    timeMs: sample.timeMs,
    rssBytes: samples.reduce(
      (sum, series) => sum + (series[index]?.rssBytes ?? 0),
      0,
    ),
  }));
}
