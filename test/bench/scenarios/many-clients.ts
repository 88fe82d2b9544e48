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
import { ENGINE_NODE_OPTIONS } from "../../../main/proxy/engine-options.js";
import { rssBytes, type Worker } from "../processes.js";
import type { TableSizes } from "../../../shared/stats.js";

export interface ManyClientsResult {
  clients: number;
  completed: number;
  statuses: Record<string, number>;
  durationMs: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** RSS once a full garbage collection has run, which leaves out garbage not yet collected. */
  rssAfterCollectionBytes: number;
  /** Live heap before and after, each measured after a full collection. */
  heapUsedBeforeBytes: number;
  heapUsedAfterBytes: number;
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
  // --expose-gc lets the snapshot request collect garbage before it measures.
  const engine = await engineWith(upstream.port, SETTINGS, [
    ...ENGINE_NODE_OPTIONS,
    "--expose-gc",
  ]);
  await sleep(500);
  const before = await engine.ask<{ memory: NodeJS.MemoryUsage }>("snapshot");
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
  const after = await engine.ask<{
    tables: TableSizes;
    memory: NodeJS.MemoryUsage;
  }>("snapshot");
  const rssAfterCollectionBytes = rssBytes(engine.pid);
  await engine.stop();
  return {
    clients: timing.clients,
    completed: result.completed,
    statuses: result.statuses,
    durationMs: result.durationMs,
    rssBeforeBytes,
    rssAfterBytes,
    rssAfterCollectionBytes,
    heapUsedBeforeBytes: before.memory.heapUsed,
    heapUsedAfterBytes: after.memory.heapUsed,
    tables: after.tables,
  };
}
