/**
 * The one-line stats summary that the headless command logs at an interval.
 */
import type { StatsSnapshot } from "../../../shared/stats.js";

/** Formats a snapshot as one line. */
export function formatStatsLine(stats: StatsSnapshot): string {
  const forwarded = Object.values(stats.forwarded).reduce(
    (sum, value) => sum + value,
    0,
  );
  const rejected = Object.values(stats.rejected).reduce(
    (sum, value) => sum + value,
    0,
  );
  const reasons = Object.entries(stats.rejected)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(", ");
  const latency =
    stats.latency.count === 0
      ? "no upstream latency yet"
      : `upstream p50 ${stats.latency.p50.toFixed(1)} ms, p99 ${stats.latency.p99.toFixed(1)} ms`;
  return [
    `stats: ${stats.requests} requests (${forwarded} forwarded, ${rejected} rejected${reasons ? `: ${reasons}` : ""})`,
    `${stats.requestsPerSecond} req/s`,
    latency,
    `${stats.openConnections} connections`,
    `${stats.clients.length} clients`,
  ].join(", ");
}
