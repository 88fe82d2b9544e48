/**
 * Scenario 4: many clients. 100,000 distinct addresses send one request
 * each; the engine's memory and every internal table must stay bounded.
 */
import { legacyRequest, loopbackAddresses } from "../blaster.js";
import {
  BAD_AUTHORIZATION,
  blastFrom,
  engineWith,
  HORNET_AUTH,
  sleep,
  type Timing,
} from "../common.js";
import { rssBytes, type Worker } from "../processes.js";
import type { TableSizes } from "../../../shared/stats.js";

export interface ManyClientsResult {
  clients: number;
  completed: number;
  statuses: Record<string, number>;
  durationMs: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  tables: TableSizes;
}

// Every protection that keeps per-client state is on, and every request
// fails authentication, so each address lands in the rate-limit, lockout and
// clients tables.
const SETTINGS = { whitelist: { enabled: false }, basicAuth: HORNET_AUTH };

export async function manyClients(
  upstream: Worker,
  timing: Timing,
): Promise<ManyClientsResult> {
  const engine = await engineWith(upstream.port, SETTINGS);
  await sleep(500);
  const rssBeforeBytes = rssBytes(engine.pid);
  const result = await blastFrom({
    host: "127.0.0.1",
    port: engine.port,
    request: legacyRequest("getNodeInfo", { authorization: BAD_AUTHORIZATION }),
    connections: 200,
    durationMs: 120_000,
    localAddresses: loopbackAddresses(timing.clients, 8),
    requestsPerConnection: 1,
    maxRequests: timing.clients,
  });
  await sleep(500);
  const rssAfterBytes = rssBytes(engine.pid);
  const { tables } = await engine.ask<{ tables: TableSizes }>("snapshot");
  await engine.stop();
  return {
    clients: timing.clients,
    completed: result.completed,
    statuses: result.statuses,
    durationMs: result.durationMs,
    rssBeforeBytes,
    rssAfterBytes,
    tables,
  };
}
