import { describe, expect, it } from "vitest";

import {
  RATE_LIMIT_BUCKETS_MAX,
  RateLimiter,
} from "../../main/proxy/rate-limit.js";
import { LockoutTable } from "../../main/proxy/lockout.js";

describe("RateLimiter", () => {
  it("allows a burst, then refills at the rate", () => {
    const limiter = new RateLimiter(5, 5);
    for (let i = 0; i < 5; i++) expect(limiter.take("a", 1, 0).ok).toBe(true);
    expect(limiter.take("a", 1, 0)).toEqual({
      ok: false,
      retryAfterSeconds: 1,
    });
    expect(limiter.take("a", 1, 199).ok).toBe(false);
    expect(limiter.take("a", 1, 200).ok).toBe(true);
  });

  it("keeps clients apart", () => {
    const limiter = new RateLimiter(1, 1);
    expect(limiter.take("a", 1, 0).ok).toBe(true);
    expect(limiter.take("b", 1, 0).ok).toBe(true);
    expect(limiter.take("a", 1, 0).ok).toBe(false);
  });

  it("rounds Retry-After up to whole seconds", () => {
    const limiter = new RateLimiter(0.25, 1);
    limiter.take("a", 1, 0);
    expect(limiter.take("a", 1, 0)).toEqual({
      ok: false,
      retryAfterSeconds: 4,
    });
  });

  it("charges a cost above the burst as the burst", () => {
    const limiter = new RateLimiter(1, 3);
    expect(limiter.take("a", 10, 0).ok).toBe(true);
    expect(limiter.take("a", 1, 0).ok).toBe(false);
  });

  it("stays bounded however many clients arrive", () => {
    const limiter = new RateLimiter(5, 5);
    for (let i = 0; i < RATE_LIMIT_BUCKETS_MAX + 5000; i++)
      limiter.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 1, 0);
    expect(limiter.size).toBe(RATE_LIMIT_BUCKETS_MAX);
  });
});

describe("LockoutTable", () => {
  const policy = { maxFailures: 3, windowSeconds: 60, durationSeconds: 600 };

  it("locks out after the maximum failures in the window", () => {
    const table = new LockoutTable(policy);
    expect(table.recordFailure("a", 0)).toBe(false);
    expect(table.recordFailure("a", 1000)).toBe(false);
    expect(table.recordFailure("a", 2000)).toBe(true);
    expect(table.lockedUntil("a", 2000)).toBe(602_000);
    expect(table.lockedUntil("a", 602_000)).toBe(0);
  });

  it("forgets failures outside the window", () => {
    const table = new LockoutTable(policy);
    table.recordFailure("a", 0);
    table.recordFailure("a", 1000);
    expect(table.recordFailure("a", 61_000)).toBe(false);
    expect(table.lockedUntil("a", 61_000)).toBe(0);
  });
});
