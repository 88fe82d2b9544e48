/**
 * Scenario 2: the cost of a rejection. Each rejection path is measured as
 * requests per second against the forwarding rate, and the node must
 * receive none of the rejected requests.
 */
import { legacyRequest } from "../blaster.js";
import {
  BAD_AUTHORIZATION,
  blastFrom,
  engineWith,
  GOOD_AUTHORIZATION,
  HORNET_AUTH,
  median,
  STRANGER,
  WHITELISTED,
  type Timing,
} from "../common.js";
import type { Worker } from "../processes.js";

export interface RejectionPath {
  path: string;
  status: number;
  requestsPerSecond: number;
  ratioToForwarding: number;
  reachedNode: number;
  answeredWithStatus: number;
  runs: number[];
}

export interface RejectionsResult {
  forwardingRequestsPerSecond: number;
  forwardingRuns: number[];
  paths: RejectionPath[];
}

interface Case {
  path: string;
  status: number;
  settings: Record<string, unknown>;
  from: string;
  authorization: string;
}

const BASE = {
  basicAuth: HORNET_AUTH,
  whitelist: { enabled: true, addresses: [WHITELISTED] },
  rateLimit: { enabled: true, requestsPerSecond: 100_000, burst: 100_000 },
};

const CASES: Case[] = [
  // Lockout is off here so that every wrong password is a 401 and not, after ten, a 429.
  {
    path: "authentication (wrong password)",
    status: 401,
    settings: { ...BASE, lockout: { enabled: false } },
    from: WHITELISTED,
    authorization: BAD_AUTHORIZATION,
  },
  {
    path: "whitelist (address not listed)",
    status: 403,
    settings: BASE,
    from: STRANGER,
    authorization: GOOD_AUTHORIZATION,
  },
  {
    path: "rate limit (bucket empty)",
    status: 429,
    settings: {
      ...BASE,
      rateLimit: { enabled: true, requestsPerSecond: 0.001, burst: 1 },
    },
    from: WHITELISTED,
    authorization: GOOD_AUTHORIZATION,
  },
];

export async function rejections(
  upstream: Worker,
  timing: Timing,
): Promise<RejectionsResult> {
  const engines = new Map<string, Worker>();
  const forward = await engineWith(upstream.port, BASE);
  for (const entry of CASES)
    engines.set(entry.path, await engineWith(upstream.port, entry.settings));

  const load = (
    port: number,
    from: string,
    authorization: string,
    client: string,
  ) =>
    blastFrom({
      host: "127.0.0.1",
      port,
      request: legacyRequest("getNodeInfo", {
        authorization,
        "x-test-client": client,
      }),
      connections: 50,
      durationMs: timing.seconds * 1000,
      localAddresses: [from],
    });

  await load(forward.port, WHITELISTED, GOOD_AUTHORIZATION, "warm-up");
  await upstream.ask("reset");
  const forwardingRuns: number[] = [];
  const runs = new Map<string, { rate: number; status: number }[]>();
  for (let round = 0; round < timing.rounds; round++) {
    forwardingRuns.push(
      (await load(forward.port, WHITELISTED, GOOD_AUTHORIZATION, "forwarded"))
        .requestsPerSecond,
    );
    for (const entry of CASES) {
      const result = await load(
        engines.get(entry.path)?.port ?? 0,
        entry.from,
        entry.authorization,
        entry.path,
      );
      runs.set(entry.path, [
        ...(runs.get(entry.path) ?? []),
        {
          rate: result.requestsPerSecond,
          status: result.statuses[entry.status] ?? 0,
        },
      ]);
    }
  }
  const { tally } = await upstream.ask<{ tally: Record<string, number> }>(
    "tally",
  );

  await forward.stop();
  for (const engine of engines.values()) await engine.stop();
  const forwarding = median(forwardingRuns);
  return {
    forwardingRequestsPerSecond: forwarding,
    forwardingRuns,
    paths: CASES.map((entry) => {
      const measured = runs.get(entry.path) ?? [];
      const rate = median(measured.map((run) => run.rate));
      return {
        path: entry.path,
        status: entry.status,
        requestsPerSecond: rate,
        ratioToForwarding: rate / forwarding,
        // The rate-limit case forwards one request, the one its full bucket allows; the
        // bucket refills 0.001 tokens a second, too slowly to allow another.
        reachedNode: (tally[entry.path] ?? 0) - (entry.status === 429 ? 1 : 0),
        answeredWithStatus: measured.reduce((sum, run) => sum + run.status, 0),
        runs: measured.map((run) => run.rate),
      };
    }),
  };
}
