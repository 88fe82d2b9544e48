/**
 * Per-client token buckets. Each client key (an IPv4 address or an IPv6 /64)
 * has a bucket of `burst` tokens that refills at `requestsPerSecond`.
 */
import { LRUCache } from "lru-cache";

/** Maximum number of buckets kept. The least recently used bucket is dropped first. */
export const RATE_LIMIT_BUCKETS_MAX = 65_536;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type TakeResult =
  { ok: true } | { ok: false; retryAfterSeconds: number };

/** The token buckets of every client. */
export class RateLimiter {
  readonly #buckets = new LRUCache<string, Bucket>({
    max: RATE_LIMIT_BUCKETS_MAX,
  });
  #rate: number;
  #burst: number;

  constructor(requestsPerSecond: number, burst: number) {
    this.#rate = requestsPerSecond;
    this.#burst = burst;
  }

  /** Applies new limits. Existing buckets keep their tokens, capped at the new burst. */
  configure(requestsPerSecond: number, burst: number): void {
    this.#rate = requestsPerSecond;
    this.#burst = burst;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes `cost` tokens from the client's bucket. A cost above the burst is
   * charged as the whole burst, so an expensive request is never refused for
   * ever.
   */
  take(key: string, cost: number, now = performance.now()): TakeResult {
    const charge = Math.min(cost, this.#burst);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, updatedAt: now };
      this.#buckets.set(key, bucket);
    } else {
      const refill = ((now - bucket.updatedAt) / 1000) * this.#rate;
      bucket.tokens = Math.min(this.#burst, bucket.tokens + refill);
      bucket.updatedAt = now;
    }

    if (bucket.tokens >= charge) {
      bucket.tokens -= charge;
      return { ok: true };
    }
    const seconds = (charge - bucket.tokens) / this.#rate;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }

  clear(): void {
    this.#buckets.clear();
  }
}
