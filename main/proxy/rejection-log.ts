/**
 * Summaries of rejected requests: one log line per interval with the count
 * per reason, never one line per rejection, so that a flood cannot fill the
 * disk.
 */
import type { Logger } from "../../shared/logger.js";
import type { RejectionReason } from "../../shared/stats.js";

const MAX_TRACKED_ADDRESSES = 1000;
const TOP_ADDRESSES = 3;
/** Lockouts logged one by one in each interval; the rest are counted in the summary. */
const LOCKOUTS_LOGGED_MAX = 5;

/** Counts rejections and logs them in aggregate at an interval. */
export class RejectionLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  #counts = new Map<RejectionReason, number>();
  #addresses = new Map<string, number>();
  #lockouts = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(log: Logger, intervalMs = 10_000) {
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  count(reason: RejectionReason, address: string): void {
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1);
    const known = this.#addresses.get(address);
    if (known !== undefined) this.#addresses.set(address, known + 1);
    else if (this.#addresses.size < MAX_TRACKED_ADDRESSES)
      this.#addresses.set(address, 1);
    this.#schedule();
  }

  /**
   * Logs a lockout. The first few of an interval get a line each; an attack
   * from many addresses is counted in the summary instead.
   */
  lockout(address: string, until: number): void {
    this.#lockouts++;
    if (this.#lockouts <= LOCKOUTS_LOGGED_MAX) {
      this.#log.warn(
        { client: address, until: new Date(until).toISOString() },
        "locked out a client after repeated failed authentication",
      );
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#intervalMs);
      this.#timer.unref();
    }
  }

  /** Logs what was counted since the last summary, if anything. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lockouts > LOCKOUTS_LOGGED_MAX) {
      this.#log.warn(
        { lockouts: this.#lockouts },
        `locked out ${this.#lockouts} clients in the last ${Math.round(this.#intervalMs / 1000)} s after repeated failed authentication`,
      );
    }
    this.#lockouts = 0;
    if (this.#counts.size === 0) return;

    const byReason = Object.fromEntries(this.#counts);
    const total = [...this.#counts.values()].reduce(
      (sum, value) => sum + value,
      0,
    );
    const top = [...this.#addresses.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_ADDRESSES)
      .map(([address, requests]) => ({ address, requests }));
    this.#log.info(
      { rejected: byReason, clients: this.#addresses.size, top },
      `rejected ${total} requests in the last ${Math.round(this.#intervalMs / 1000)} s`,
    );
    this.#counts = new Map();
    this.#addresses = new Map();
  }
}
