/**
 * The statistics that the engine keeps and the dashboard shows. Every table
 * here is bounded, so memory stays flat however many clients arrive.
 */

/** Reasons for which the engine rejected a request itself instead of forwarding it. */
export const REJECTION_REASONS = [
  "notWhitelisted",
  "blocked",
  "lockedOut",
  "rateLimited",
  "unauthorized",
  "badRequest",
  "tooLarge",
  "commandNotAllowed",
  "headersTooLarge",
  "timeout",
  "connectionLimit",
  "busy",
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Status classes of responses that came from the node. */
export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;

export type StatusClass = (typeof STATUS_CLASSES)[number];

/** One second of traffic. */
export interface SeriesPoint {
  /** Start of the second, in milliseconds since the epoch. */
  time: number;
  forwarded: number;
  rejected: number;
}

/** Upstream latency over the last minute, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** A row of the clients table. */
export interface ClientRow {
  address: string;
  requests: number;
  forwarded: number;
  rejections: Partial<Record<RejectionReason, number>>;
  /** Milliseconds since the epoch. */
  lastSeen: number;
  /** Milliseconds since the epoch until which the client is locked out or blocked, if it is. */
  lockedUntil?: number;
  blocked: boolean;
  whitelisted: boolean;
}

/** An entry of the recent rejections list. */
export interface RejectionEvent {
  /** Milliseconds since the epoch. */
  time: number;
  address: string;
  reason: RejectionReason;
  status: number;
  method: string;
  /** The legacy command when there was one, otherwise the request path. */
  target: string;
}

/** Sizes of the engine's internal tables, each next to its cap. */
export interface TableSizes {
  clients: { size: number; max: number };
  rateLimitBuckets: { size: number; max: number };
  lockouts: { size: number; max: number };
  credentialCache: { size: number; max: number };
  recentRejections: { size: number; max: number };
  upstreamQueue: { size: number; max: number };
}

/** A point-in-time copy of everything the engine counts. */
export interface StatsSnapshot {
  /** Milliseconds since the epoch. */
  takenAt: number;
  startedAt: number;
  requests: number;
  forwarded: Record<StatusClass, number>;
  rejected: Record<RejectionReason, number>;
  preflights: number;
  upstream: {
    errors: number;
    timeouts: number;
    /** Whether the last forwarded request reached the node; null before the first. */
    reachable: boolean | null;
    lastError: string | null;
  };
  /** Forwarded and rejected requests per second, oldest first, for the last five minutes. */
  series: SeriesPoint[];
  /** Requests per second over the last complete second. */
  requestsPerSecond: number;
  latency: LatencySummary;
  openConnections: number;
  /** Clients, the most recently seen first. */
  clients: ClientRow[];
  /** Rejections, the newest first. */
  recentRejections: RejectionEvent[];
  tables: TableSizes;
}
