/**
 * The engine's statistics: counters per outcome, a per-second series, upstream
 * latency percentiles, a bounded clients table and a bounded list of recent
 * rejections.
 */
import { createHistogram, type RecordableHistogram } from "node:perf_hooks";

import { LRUCache } from "lru-cache";

import {
  REJECTION_REASONS,
  type ClientRow,
  type LatencySummary,
  type RejectionEvent,
  type RejectionReason,
  type SeriesPoint,
  type StatsSnapshot,
  type StatusClass,
  type TableSizes,
} from "../../shared/stats.js";

/** Maximum rows of the clients table; the least recently seen row is dropped first. */
export const CLIENTS_TABLE_MAX = 1024;
/** Maximum entries of the recent rejections list. */
export const RECENT_REJECTIONS_MAX = 200;
/** Length of the per-second series. */
export const SERIES_SECONDS = 300;
const LATENCY_SLOT_MS = 10_000;
const LATENCY_SLOTS = 6;

/** The client of a request, as the stats record it. */
export interface StatsClient {
  address: string;
  whitelisted: boolean;
}

/** Sizes of the tables that live outside the stats, filled in by the engine. */
export type ExternalTables = Omit<TableSizes, "clients" | "recentRejections">;

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** Counts what the engine does with each request. */
export class Stats {
  readonly startedAt = Date.now();
  #requests = 0;
  #preflights = 0;
  readonly #forwarded = zeroCounts<StatusClass>(["2xx", "3xx", "4xx", "5xx"]);
  readonly #rejected = zeroCounts<RejectionReason>(REJECTION_REASONS);
  readonly #upstream = {
    errors: 0,
    timeouts: 0,
    reachable: null as boolean | null,
    lastError: null as string | null,
  };
  readonly #seriesForwarded = new Uint32Array(SERIES_SECONDS);
  readonly #seriesRejected = new Uint32Array(SERIES_SECONDS);
  #seriesSecond = Math.floor(Date.now() / 1000);
  readonly #latency: RecordableHistogram[] = Array.from(
    { length: LATENCY_SLOTS },
    () => createHistogram(),
  );
  #latencySlot = Math.floor(Date.now() / LATENCY_SLOT_MS);
  readonly #clients = new LRUCache<string, ClientRow>({
    max: CLIENTS_TABLE_MAX,
  });
  readonly #recent: RejectionEvent[] = [];
  #recentNext = 0;

  /** Counts a response that came from the node. */
  recordForwarded(
    client: StatsClient,
    status: number,
    latencyMs: number,
  ): void {
    const now = Date.now();
    this.#requests++;
    this.#forwarded[statusClass(status)]++;
    this.#countInSeries(now, "forwarded");
    this.#latencyAt(now).record(Math.max(1, Math.round(latencyMs * 1000)));
    this.#upstream.reachable = true;

    const row = this.#client(client, now);
    row.requests++;
    row.forwarded++;
  }

  /** Counts a request that the engine rejected with an error response. */
  recordRejected(
    client: StatsClient,
    reason: RejectionReason,
    status: number,
    method: string,
    target: string,
  ): void {
    const now = Date.now();
    this.#requests++;
    this.#rejected[reason]++;
    this.#countInSeries(now, "rejected");

    const row = this.#client(client, now);
    row.requests++;
    row.rejections[reason] = (row.rejections[reason] ?? 0) + 1;

    const event: RejectionEvent = {
      time: now,
      address: client.address,
      reason,
      status,
      method,
      target: target.slice(0, 200),
    };
    if (this.#recent.length < RECENT_REJECTIONS_MAX) this.#recent.push(event);
    else this.#recent[this.#recentNext] = event;
    this.#recentNext = (this.#recentNext + 1) % RECENT_REJECTIONS_MAX;
  }

  /** Counts a CORS preflight that the engine responded to. */
  recordPreflight(client: StatsClient): void {
    this.#requests++;
    this.#client(client, Date.now()).requests++;
    this.#preflights++;
  }

  /** Whether the last forwarded request reached the node; null before the first. */
  get upstreamReachable(): boolean | null {
    return this.#upstream.reachable;
  }

  /** Counts a request that failed at the node: refused, reset or timed out. */
  recordUpstreamFailure(kind: "error" | "timeout", message: string): void {
    if (kind === "timeout") this.#upstream.timeouts++;
    else this.#upstream.errors++;
    this.#upstream.reachable = false;
    this.#upstream.lastError = message;
  }

  /** Marks a client row as locked out or blocked until a time, or clears the mark. */
  markLocked(
    address: string,
    until: number | undefined,
    blocked: boolean,
  ): void {
    const row = this.#clients.peek(address);
    if (!row) return;
    if (until === undefined) delete row.lockedUntil;
    else row.lockedUntil = until;
    row.blocked = blocked;
  }

  /** Returns a copy of everything counted so far. */
  snapshot(openConnections: number, tables: ExternalTables): StatsSnapshot {
    const now = Date.now();
    this.#seriesAt(now);
    return {
      takenAt: now,
      startedAt: this.startedAt,
      requests: this.#requests,
      forwarded: { ...this.#forwarded },
      rejected: { ...this.#rejected },
      preflights: this.#preflights,
      upstream: { ...this.#upstream },
      series: this.#series(),
      requestsPerSecond: this.#lastSecondTotal(),
      latency: this.#latencySummary(now),
      openConnections,
      clients: [...this.#clients.values()].map((row) => ({
        ...row,
        rejections: { ...row.rejections },
      })),
      recentRejections: this.#recentNewestFirst(),
      tables: {
        ...tables,
        clients: { size: this.#clients.size, max: CLIENTS_TABLE_MAX },
        recentRejections: {
          size: this.#recent.length,
          max: RECENT_REJECTIONS_MAX,
        },
      },
    };
  }

  #client(client: StatsClient, now: number): ClientRow {
    let row = this.#clients.get(client.address);
    if (row === undefined) {
      row = {
        address: client.address,
        requests: 0,
        forwarded: 0,
        rejections: {},
        lastSeen: now,
        blocked: false,
        whitelisted: client.whitelisted,
      };
      this.#clients.set(client.address, row);
    }
    row.lastSeen = now;
    row.whitelisted = client.whitelisted;
    return row;
  }

  #countInSeries(now: number, kind: "forwarded" | "rejected"): void {
    const series = this.#seriesAt(now)[kind];
    const index = Math.floor(now / 1000) % SERIES_SECONDS;
    series[index] = (series[index] ?? 0) + 1;
  }

  /** Clears the seconds that passed without traffic, then returns the series arrays. */
  #seriesAt(now: number): { forwarded: Uint32Array; rejected: Uint32Array } {
    const second = Math.floor(now / 1000);
    if (second !== this.#seriesSecond) {
      const gap = Math.min(second - this.#seriesSecond, SERIES_SECONDS);
      for (let step = 1; step <= gap; step++) {
        const index = (this.#seriesSecond + step) % SERIES_SECONDS;
        this.#seriesForwarded[index] = 0;
        this.#seriesRejected[index] = 0;
      }
      this.#seriesSecond = second;
    }
    return { forwarded: this.#seriesForwarded, rejected: this.#seriesRejected };
  }

  #series(): SeriesPoint[] {
    const points: SeriesPoint[] = [];
    for (let offset = SERIES_SECONDS - 1; offset >= 0; offset--) {
      const second = this.#seriesSecond - offset;
      const index =
        ((second % SERIES_SECONDS) + SERIES_SECONDS) % SERIES_SECONDS;
      points.push({
        time: second * 1000,
        forwarded: this.#seriesForwarded[index] ?? 0,
        rejected: this.#seriesRejected[index] ?? 0,
      });
    }
    return points;
  }

  #lastSecondTotal(): number {
    const index = (this.#seriesSecond - 1 + SERIES_SECONDS) % SERIES_SECONDS;
    return (
      (this.#seriesForwarded[index] ?? 0) + (this.#seriesRejected[index] ?? 0)
    );
  }

  /** Resets the histograms of slots that fell out of the last minute. */
  #latencyAt(now: number): RecordableHistogram {
    const slot = Math.floor(now / LATENCY_SLOT_MS);
    const gap = Math.min(slot - this.#latencySlot, LATENCY_SLOTS);
    for (let step = 1; step <= gap; step++)
      this.#latency[(this.#latencySlot + step) % LATENCY_SLOTS]?.reset();
    this.#latencySlot = Math.max(slot, this.#latencySlot);
    return this.#latency[slot % LATENCY_SLOTS] as RecordableHistogram;
  }

  #latencySummary(now: number): LatencySummary {
    this.#latencyAt(now);
    const merged = createHistogram();
    for (const histogram of this.#latency) merged.add(histogram);
    if (merged.count === 0) return { count: 0, p50: 0, p95: 0, p99: 0 };
    const ms = (percentile: number) => merged.percentile(percentile) / 1000;
    return { count: merged.count, p50: ms(50), p95: ms(95), p99: ms(99) };
  }

  #recentNewestFirst(): RejectionEvent[] {
    const ordered =
      this.#recent.length < RECENT_REJECTIONS_MAX
        ? [...this.#recent]
        : [
            ...this.#recent.slice(this.#recentNext),
            ...this.#recent.slice(0, this.#recentNext),
          ];
    return ordered.reverse();
  }
}

function statusClass(status: number): StatusClass {
  if (status >= 500) return "5xx";
  if (status >= 400) return "4xx";
  if (status >= 300) return "3xx";
  return "2xx";
}
