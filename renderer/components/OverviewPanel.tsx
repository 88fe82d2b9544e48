import {
  REJECTION_REASONS,
  STATUS_CLASSES,
  type RejectionReason,
  type StatsSnapshot,
} from "../../shared/stats.js";
import { TrafficChart } from "./TrafficChart.js";

/** Owner-facing names of the rejection reasons. */
export const REASON_LABELS: Record<RejectionReason, string> = {
  notWhitelisted: "Not whitelisted",
  blocked: "Blocked",
  lockedOut: "Locked out",
  rateLimited: "Rate limited",
  unauthorized: "Unauthorized",
  badRequest: "Bad request",
  tooLarge: "Too large",
  commandNotAllowed: "Command not allowed",
  headersTooLarge: "Headers too large",
  timeout: "Timed out",
  connectionLimit: "Connection limit",
  busy: "Node busy",
};

/** Shows the chart, the counters per outcome and the upstream latency. */
export function OverviewPanel({ stats }: { stats: StatsSnapshot | undefined }) {
  if (!stats)
    return <p className="hint">Waiting for the engine's first stats…</p>;
  const forwarded = STATUS_CLASSES.reduce(
    (sum, key) => sum + stats.forwarded[key],
    0,
  );
  const rejected = REJECTION_REASONS.reduce(
    (sum, key) => sum + stats.rejected[key],
    0,
  );
  const { latency } = stats;

  return (
    <div className="overview">
      <TrafficChart series={stats.series} />
      <div className="tiles">
        <Tile label="Requests per second" value={stats.requestsPerSecond} />
        <Tile label="Requests" value={stats.requests} />
        <Tile label="Forwarded" value={forwarded} />
        <Tile label="Rejected" value={rejected} />
        <Tile label="Open connections" value={stats.openConnections} />
        <Tile
          label="Upstream errors"
          value={stats.upstream.errors + stats.upstream.timeouts}
        />
      </div>
      <div className="columns">
        <table aria-label="Outcomes">
          <caption>Outcomes</caption>
          <tbody>
            {STATUS_CLASSES.map((key) => (
              <tr key={key}>
                <th scope="row">Forwarded, node answered {key}</th>
                <td data-outcome={`forwarded-${key}`}>
                  {stats.forwarded[key]}
                </td>
              </tr>
            ))}
            {REJECTION_REASONS.map((key) => (
              <tr key={key}>
                <th scope="row">{REASON_LABELS[key]}</th>
                <td data-outcome={key}>{stats.rejected[key]}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table aria-label="Upstream latency">
          <caption>Upstream latency, last minute</caption>
          <tbody>
            <tr>
              <th scope="row">Requests measured</th>
              <td>{latency.count}</td>
            </tr>
            <tr>
              <th scope="row">p50</th>
              <td>{formatMs(latency.p50)}</td>
            </tr>
            <tr>
              <th scope="row">p95</th>
              <td>{formatMs(latency.p95)}</td>
            </tr>
            <tr>
              <th scope="row">p99</th>
              <td>{formatMs(latency.p99)}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Tile({ label, value }: { label: string; value: number }) {
  return (
    <div className="tile" aria-label={label}>
      <span className="value">{value}</span>
      <span className="label">{label}</span>
    </div>
  );
}

function formatMs(value: number): string {
  return `${value.toFixed(1)} ms`;
}
