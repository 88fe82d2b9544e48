import { useState } from "react";

import type { ChangeResult } from "../../shared/app-state.js";
import type { RejectionReason, StatsSnapshot } from "../../shared/stats.js";
import { useChange } from "../hooks.js";
import { FieldErrors } from "./FieldErrors.js";
import { REASON_LABELS } from "./OverviewPanel.js";

const HOUR_SECONDS = 3600;

/** Shows the clients table with its actions, and the recent rejections. */
export function ClientsPanel({ stats }: { stats: StatsSnapshot | undefined }) {
  const change = useChange();
  const [done, setDone] = useState("");
  if (!stats)
    return <p className="hint">Waiting for the engine's first stats…</p>;

  const act = async (label: string, action: () => Promise<ChangeResult>) => {
    const ok = await change.run(action);
    setDone(ok ? label : "");
  };

  return (
    <div className="clients">
      <table aria-label="Clients">
        <caption>Clients</caption>
        <thead>
          <tr>
            <th>Address</th>
            <th>Requests</th>
            <th>Rejections</th>
            <th>Last seen</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {stats.clients.length === 0 && (
            <tr>
              <td colSpan={5}>No clients yet.</td>
            </tr>
          )}
          {stats.clients.map((client) => (
            <tr key={client.address} data-address={client.address}>
              <td>
                <code>{client.address}</code>
                {client.whitelisted && (
                  <span className="badge">whitelisted</span>
                )}
                {client.lockedUntil !== undefined && (
                  <span className="badge danger">
                    {client.blocked ? "blocked" : "locked out"} until{" "}
                    {formatTime(client.lockedUntil)}
                  </span>
                )}
              </td>
              <td>{client.requests}</td>
              <td>{formatRejections(client.rejections)}</td>
              <td>{formatTime(client.lastSeen)}</td>
              <td className="actions">
                {!client.whitelisted && (
                  <button
                    onClick={() =>
                      void act(`Allowed ${client.address}.`, () =>
                        window.shield.addWhitelistEntry(client.address),
                      )
                    }
                  >
                    Allow
                  </button>
                )}
                <button
                  onClick={() =>
                    void act(`Blocked ${client.address} for an hour.`, () =>
                      window.shield.blockClient(client.address, HOUR_SECONDS),
                    )
                  }
                >
                  Block for an hour
                </button>
                {client.lockedUntil !== undefined && (
                  <button
                    onClick={() =>
                      void act(`Unblocked ${client.address}.`, () =>
                        window.shield.unblockClient(client.address),
                      )
                    }
                  >
                    Unblock
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FieldErrors messages={change.issues.map((issue) => issue.message)} />
      {done && <p role="status">{done}</p>}
      <table aria-label="Recent rejections">
        <caption>Recent rejections</caption>
        <thead>
          <tr>
            <th>Time</th>
            <th>Address</th>
            <th>Reason</th>
            <th>Status</th>
            <th>Command or path</th>
          </tr>
        </thead>
        <tbody>
          {stats.recentRejections.length === 0 && (
            <tr>
              <td colSpan={5}>No rejections yet.</td>
            </tr>
          )}
          {stats.recentRejections.map((event, index) => (
            <tr key={`${event.time}-${index}`}>
              <td>{formatTime(event.time)}</td>
              <td>
                <code>{event.address}</code>
              </td>
              <td>{REASON_LABELS[event.reason]}</td>
              <td>{event.status}</td>
              <td>
                <code>
                  {event.method} {event.target}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function formatRejections(
  rejections: Partial<Record<RejectionReason, number>>,
): string {
  const parts = Object.entries(rejections)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(
      ([reason, count]) =>
        `${REASON_LABELS[reason as RejectionReason]} ${count}`,
    );
  return parts.length === 0 ? "none" : parts.join(", ");
}

function formatTime(time: number): string {
  return new Date(time).toLocaleTimeString();
}
