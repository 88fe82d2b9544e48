/**
 * A global cap on concurrent upstream requests, shared fairly between
 * clients: no client holds more than half of the slots, and when requests
 * wait, free slots go to the waiting clients in turn rather than to whoever
 * sends the most.
 */

/** Maximum requests waiting for a slot, per client key and in all. */
export const UPSTREAM_QUEUE_PER_CLIENT_MAX = 32;
export const UPSTREAM_QUEUE_MAX = 1024;

export type Release = () => void;
export type AcquireResult =
  { ok: true; release: Release } | { ok: false; reason: "busy" };

interface Waiter {
  resolve: (result: AcquireResult) => void;
  timer: NodeJS.Timeout;
}

/** Hands out upstream request slots. */
export class UpstreamGate {
  #max: number;
  #active = 0;
  #queued = 0;
  readonly #activeByKey = new Map<string, number>();
  // Map iteration follows insertion order, so moving a key to the end after
  // serving it makes the queue round-robin.
  readonly #waiting = new Map<string, Waiter[]>();
  readonly #waitMs: number;

  constructor(max: number, waitMs = 10_000) {
    this.#max = max;
    this.#waitMs = waitMs;
  }

  configure(max: number): void {
    this.#max = max;
    this.#drain();
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queued;
  }

  #perClientMax(): number {
    return Math.max(1, Math.floor(this.#max / 2));
  }

  /**
   * Takes a slot for `key`, at once if one is free, otherwise after waiting
   * in turn. Only a request that must wait is given to `onWait`, with the
   * function that gives up its place, so the common case allocates nothing.
   */
  acquire(
    key: string,
    onWait?: (cancel: () => void) => void,
  ): AcquireResult | Promise<AcquireResult> {
    if (this.#queued === 0 && this.#canRun(key)) return this.#grant(key);

    const queue = this.#waiting.get(key) ?? [];
    if (
      queue.length >= UPSTREAM_QUEUE_PER_CLIENT_MAX ||
      this.#queued >= UPSTREAM_QUEUE_MAX
    ) {
      return { ok: false, reason: "busy" };
    }
    return new Promise<AcquireResult>((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => this.#cancel(key, waiter), this.#waitMs),
      };
      queue.push(waiter);
      this.#waiting.set(key, queue);
      this.#queued++;
      onWait?.(() => this.#cancel(key, waiter));
      this.#drain();
    });
  }

  #canRun(key: string): boolean {
    return (
      this.#active < this.#max &&
      (this.#activeByKey.get(key) ?? 0) < this.#perClientMax()
    );
  }

  #grant(key: string): AcquireResult {
    this.#active++;
    this.#activeByKey.set(key, (this.#activeByKey.get(key) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#active--;
        const left = (this.#activeByKey.get(key) ?? 1) - 1;
        if (left === 0) this.#activeByKey.delete(key);
        else this.#activeByKey.set(key, left);
        this.#drain();
      },
    };
  }

  #drain(): void {
    for (const [key, queue] of this.#waiting) {
      if (this.#active >= this.#max) return;
      if (!this.#canRun(key)) continue;
      const waiter = queue.shift();
      this.#waiting.delete(key);
      if (queue.length > 0) this.#waiting.set(key, queue);
      if (!waiter) continue;
      this.#queued--;
      clearTimeout(waiter.timer);
      waiter.resolve(this.#grant(key));
    }
  }

  #cancel(key: string, waiter: Waiter): void {
    const queue = this.#waiting.get(key);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index === -1) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.#waiting.delete(key);
    this.#queued--;
    clearTimeout(waiter.timer);
    waiter.resolve({ ok: false, reason: "busy" });
  }
}
