/**
 * Scenario 5: valid requests per second with a scrypt password, verified once
 * and then cached, against Hornet's SHA-256 scheme.
 */
import { createPasswordRecord } from "../../../main/proxy/passwords.js";
import { legacyRequest } from "../blaster.js";
import {
  blastFrom,
  engineWith,
  GOOD_AUTHORIZATION,
  HORNET_AUTH,
  median,
  WHITELISTED,
  type Timing,
} from "../common.js";
import type { Worker } from "../processes.js";

export interface PasswordResult {
  sha256: number;
  scrypt: number;
  ratio: number;
  runs: { sha256: number; scrypt: number }[];
}

export async function passwordSchemes(
  upstream: Worker,
  timing: Timing,
): Promise<PasswordResult> {
  const record = await createPasswordRecord("iota", "scrypt");
  const common = {
    whitelist: { enabled: true, addresses: [WHITELISTED] },
    rateLimit: { enabled: true, requestsPerSecond: 100_000, burst: 100_000 },
  };
  const sha256 = await engineWith(upstream.port, {
    ...common,
    basicAuth: HORNET_AUTH,
  });
  const scrypt = await engineWith(upstream.port, {
    ...common,
    basicAuth: { enabled: true, username: "admin", ...record },
  });

  const load = (port: number) =>
    blastFrom({
      host: "127.0.0.1",
      port,
      request: legacyRequest("getNodeInfo", {
        authorization: GOOD_AUTHORIZATION,
      }),
      connections: 50,
      durationMs: timing.seconds * 1000,
      localAddresses: [WHITELISTED],
    });
  // The first requests fill the credential cache; the figures are for what follows.
  await load(sha256.port);
  await load(scrypt.port);
  const runs: { sha256: number; scrypt: number }[] = [];
  for (let round = 0; round < timing.rounds; round++) {
    const legacy = await load(sha256.port);
    const modern = await load(scrypt.port);
    if (
      (legacy.statuses["200"] ?? 0) !== legacy.completed ||
      (modern.statuses["200"] ?? 0) !== modern.completed
    ) {
      throw new Error(
        `password scheme runs had failures: ${JSON.stringify({ legacy: legacy.statuses, modern: modern.statuses })}`,
      );
    }
    runs.push({
      sha256: legacy.requestsPerSecond,
      scrypt: modern.requestsPerSecond,
    });
  }
  await sha256.stop();
  await scrypt.stop();

  const legacyRate = median(runs.map((run) => run.sha256));
  const scryptRate = median(runs.map((run) => run.scrypt));
  return {
    sha256: legacyRate,
    scrypt: scryptRate,
    ratio: scryptRate / legacyRate,
    runs,
  };
}
