import { describe, expect, it } from "vitest";

import {
  UPSTREAM_QUEUE_PER_CLIENT_MAX,
  UpstreamGate,
  type AcquireResult,
  type Release,
} from "../../main/proxy/upstream-gate.js";

function granted(result: AcquireResult | Promise<AcquireResult>): Release {
  if (result instanceof Promise || !result.ok)
    throw new Error("expected a slot at once");
  return result.release;
}

describe("UpstreamGate", () => {
  it("grants free slots at once", () => {
    const gate = new UpstreamGate(4);
    granted(gate.acquire("a"));
    granted(gate.acquire("b"));
    expect(gate.active).toBe(2);
  });

  it("gives one client at most half of the slots", async () => {
    const gate = new UpstreamGate(4);
    granted(gate.acquire("a"));
    const second = granted(gate.acquire("a"));
    const third = gate.acquire("a");
    expect(third).toBeInstanceOf(Promise);
    expect(gate.active).toBe(2);

    // Another client gets a free slot while the first one waits at its cap.
    const other = await gate.acquire("b");
    expect(other.ok).toBe(true);
    expect(gate.active).toBe(3);
    second();
    expect((await third).ok).toBe(true);
  });

  it("serves waiting clients in turn", async () => {
    const gate = new UpstreamGate(2);
    const first = granted(gate.acquire("flood"));
    const second = granted(gate.acquire("other"));
    const order: string[] = [];
    const waits = [
      ...[1, 2, 3].map(() =>
        (gate.acquire("flood") as Promise<AcquireResult>).then(
          (slot) => (order.push("flood"), slot),
        ),
      ),
      (gate.acquire("legit") as Promise<AcquireResult>).then(
        (slot) => (order.push("legit"), slot),
      ),
    ];
    first();
    second();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order).toEqual(["flood", "legit"]);
    for (const slot of await Promise.race([
      Promise.all(waits),
      new Promise<AcquireResult[]>((resolve) =>
        setTimeout(() => resolve([]), 10),
      ),
    ])) {
      if (slot.ok) slot.release();
    }
  });

  it("rejects a client whose queue is full", () => {
    const gate = new UpstreamGate(2);
    granted(gate.acquire("a"));
    for (let i = 0; i < UPSTREAM_QUEUE_PER_CLIENT_MAX; i++)
      expect(gate.acquire("a")).toBeInstanceOf(Promise);
    expect(gate.acquire("a")).toEqual({ ok: false, reason: "busy" });
    expect(gate.queued).toBe(UPSTREAM_QUEUE_PER_CLIENT_MAX);
  });

  it("gives up a wait after the timeout", async () => {
    const gate = new UpstreamGate(1, 20);
    granted(gate.acquire("a"));
    const waiting = gate.acquire("b");
    expect(await waiting).toEqual({ ok: false, reason: "busy" });
    expect(gate.queued).toBe(0);
  });

  it("drops a cancelled wait", async () => {
    const gate = new UpstreamGate(1);
    const release = granted(gate.acquire("a"));
    let cancel: (() => void) | undefined;
    const waiting = gate.acquire("b", (giveUp) => (cancel = giveUp));
    expect(cancel).toBeDefined();
    cancel?.();
    expect(await waiting).toEqual({ ok: false, reason: "busy" });
    release();
    expect(gate.active).toBe(0);
  });

  it("does not call onWait when a slot is free", () => {
    const gate = new UpstreamGate(1);
    let called = false;
    granted(gate.acquire("a", () => (called = true)));
    expect(called).toBe(false);
  });

  it("releases a slot once however often release is called", () => {
    const gate = new UpstreamGate(2);
    const release = granted(gate.acquire("a"));
    granted(gate.acquire("b"));
    release();
    release();
    expect(gate.active).toBe(1);
  });
});
