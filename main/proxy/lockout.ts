/**
 * Lockout after failed authentication, and blocks set by the owner. Both
 * are keyed like the rate limit: an IPv4 address or an IPv6 /64.
 */
import { LRUCache } from "lru-cache";

/** Maximum number of client keys tracked for failures and lockouts. */
export const LOCKOUT_TABLE_MAX = 16_384;

interface FailureRecord {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

export interface LockoutPolicy {
  maxFailures: number;
  windowSeconds: number;
  durationSeconds: number;
}

/** Counts failed authentications per client and locks out repeat offenders. */
export class LockoutTable {
  readonly #records = new LRUCache<string, FailureRecord>({
    max: LOCKOUT_TABLE_MAX,
  });
  #policy: LockoutPolicy;

  constructor(policy: LockoutPolicy) {
    this.#policy = policy;
  }

  configure(policy: LockoutPolicy): void {
    this.#policy = policy;
  }

  get size(): number {
    return this.#records.size;
  }

  /** Returns the time (ms since the epoch) until which the key is locked out, or 0. */
  lockedUntil(key: string, now = Date.now()): number {
    const record = this.#records.peek(key);
    return record !== undefined && record.lockedUntil > now
      ? record.lockedUntil
      : 0;
  }

  /** Records a failed authentication. Returns true when it starts a lockout. */
  recordFailure(key: string, now = Date.now()): boolean {
    const windowMs = this.#policy.windowSeconds * 1000;
    let record = this.#records.get(key);
    if (record === undefined || now - record.windowStart >= windowMs) {
      record = {
        windowStart: now,
        failures: 0,
        lockedUntil: record?.lockedUntil ?? 0,
      };
      this.#records.set(key, record);
    }

    record.failures++;
    if (
      record.failures >= this.#policy.maxFailures &&
      record.lockedUntil <= now
    ) {
      record.lockedUntil = now + this.#policy.durationSeconds * 1000;
      record.failures = 0;
      record.windowStart = now;
      return true;
    }
    return false;
  }

  /** Ends a lockout early. */
  clear(key: string): void {
    this.#records.delete(key);
  }

  clearAll(): void {
    this.#records.clear();
  }
}

/** Maximum number of addresses that the owner can block at once. */
export const BLOCK_TABLE_MAX = 4096;

/** Addresses blocked by the owner, each until a time. */
export class BlockTable {
  readonly #blocks = new Map<string, number>();

  get size(): number {
    return this.#blocks.size;
  }

  /** Returns the time (ms since the epoch) until which the key is blocked, or 0. */
  blockedUntil(key: string, now = Date.now()): number {
    if (this.#blocks.size === 0) return 0;
    const until = this.#blocks.get(key);
    if (until === undefined) return 0;
    if (until > now) return until;
    this.#blocks.delete(key);
    return 0;
  }

  /** Blocks a key. Returns false when the table is full. */
  block(key: string, until: number): boolean {
    if (!this.#blocks.has(key) && this.#blocks.size >= BLOCK_TABLE_MAX) {
      this.#prune();
      if (this.#blocks.size >= BLOCK_TABLE_MAX) return false;
    }
    this.#blocks.set(key, until);
    return true;
  }

  unblock(key: string): boolean {
    return this.#blocks.delete(key);
  }

  #prune(now = Date.now()): void {
    for (const [key, until] of this.#blocks)
      if (until <= now) this.#blocks.delete(key);
  }
}
