import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { EngineStatus } from "../../shared/app-state.js";
import { silentLogger } from "../../shared/logger.js";
import { defaultSettings, parseSettings } from "../../shared/settings.js";
import { EngineSupervisor } from "../../main/engine-supervisor.js";
import { ScriptedEngine } from "../support/scripted-engine.js";

function settingsWith(port: number) {
  const parsed = parseSettings({ listen: { port } });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.settings;
}

let engines: ScriptedEngine[];
let statuses: EngineStatus[];
let supervisor: EngineSupervisor;

beforeEach(() => {
  vi.useFakeTimers();
  engines = [];
  statuses = [];
  supervisor = new EngineSupervisor(
    () => {
      const engine = new ScriptedEngine();
      engines.push(engine);
      return engine;
    },
    {
      logger: silentLogger(),
      backoffMs: [100, 400, 1600],
      maxCrashes: 4,
      crashWindowMs: 60_000,
      now: () => Date.now(),
    },
  );
  supervisor.on("status", (status) => statuses.push(status));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("EngineSupervisor", () => {
  it("starts the engine with the settings", () => {
    const settings = settingsWith(15000);
    supervisor.start(settings);
    expect(engines).toHaveLength(1);
    expect(engines[0]?.commands[0]).toEqual({ type: "start", settings });
    expect(supervisor.status.phase).toBe("starting");

    engines[0]?.listen(15000);
    expect(supervisor.status.phase).toBe("running");
    expect(supervisor.status.listenUrl).toBe("http://0.0.0.0:15000");
  });

  it("restarts after a crash with backoff and unchanged settings", () => {
    const settings = settingsWith(15001);
    supervisor.start(settings);
    engines[0]?.listen();
    engines[0]?.crash(1);

    expect(supervisor.status.phase).toBe("restarting");
    expect(supervisor.status.crashes).toBe(1);
    expect(supervisor.status.error).toContain("exited with code 1");
    vi.advanceTimersByTime(99);
    expect(engines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(engines).toHaveLength(2);
    expect(engines[1]?.commands[0]).toEqual({ type: "start", settings });

    engines[1]?.listen();
    engines[1]?.crash(null);
    vi.advanceTimersByTime(399);
    expect(engines).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(engines).toHaveLength(3);
    expect(engines[2]?.commands[0]).toEqual({ type: "start", settings });
  });

  it("gives up after repeated crashes and shows the error", () => {
    supervisor.start(settingsWith(15002));
    for (let crash = 0; crash < 3; crash++) {
      engines.at(-1)?.listen();
      engines.at(-1)?.crash(134);
      vi.advanceTimersByTime(2000);
    }
    expect(engines).toHaveLength(4);
    engines.at(-1)?.crash(134);

    expect(supervisor.status.phase).toBe("failed");
    expect(supervisor.status.crashes).toBe(4);
    expect(supervisor.status.error).toContain(
      "crashed 4 times within 60 seconds",
    );
    expect(supervisor.status.error).toContain("exited with code 134");
    vi.advanceTimersByTime(60_000);
    expect(engines).toHaveLength(4);
  });

  it("counts only crashes within the window", () => {
    supervisor.start(settingsWith(15003));
    for (let crash = 0; crash < 6; crash++) {
      engines.at(-1)?.listen();
      // Each crash comes after the window of the previous ones.
      vi.advanceTimersByTime(61_000);
      engines.at(-1)?.crash(1);
      vi.advanceTimersByTime(2000);
    }
    expect(supervisor.status.phase).toBe("restarting");
    expect(supervisor.status.crashes).toBe(1);
    expect(engines).toHaveLength(7);
  });

  it("restart after give-up starts a fresh engine", () => {
    supervisor.start(settingsWith(15004));
    for (let crash = 0; crash < 4; crash++) {
      engines.at(-1)?.crash(1);
      vi.advanceTimersByTime(2000);
    }
    expect(supervisor.status.phase).toBe("failed");
    supervisor.restart();
    expect(engines).toHaveLength(5);
    engines.at(-1)?.listen();
    expect(supervisor.status).toMatchObject({ phase: "running", crashes: 0 });
  });

  it("does not restart when the port is in use", () => {
    supervisor.start(settingsWith(15005));
    engines[0]?.emit("message", {
      type: "start-failed",
      message:
        "cannot listen on 0.0.0.0:15005: the port is already in use by another program",
      code: "EADDRINUSE",
    });
    engines[0]?.crash(0);
    vi.advanceTimersByTime(10_000);

    expect(supervisor.status.phase).toBe("failed");
    expect(supervisor.status.error).toContain("15005");
    expect(engines).toHaveLength(1);
  });

  it("starts again on new settings after a port in use", () => {
    supervisor.start(settingsWith(15006));
    engines[0]?.emit("message", {
      type: "start-failed",
      message: "port in use",
    });
    const next = settingsWith(15007);
    void supervisor.apply(next);
    expect(engines).toHaveLength(2);
    expect(engines[1]?.commands[0]).toEqual({ type: "start", settings: next });
  });

  it("sends updates and resolves with the engine's answer", async () => {
    supervisor.start(settingsWith(15008));
    engines[0]?.listen();
    const next = settingsWith(15009);
    const pending = supervisor.apply(next);
    const update = engines[0]?.commands[1];
    expect(update).toMatchObject({ type: "update", settings: next });
    engines[0]?.emit("message", {
      type: "update-result",
      id: (update as { id: number }).id,
      ok: false,
      message: "cannot listen on 0.0.0.0:15009",
    });
    await expect(pending).resolves.toEqual({
      ok: false,
      message: "cannot listen on 0.0.0.0:15009",
    });
    expect(supervisor.settings?.listen.port).toBe(15008);
  });

  it("kills an engine that never listens", () => {
    supervisor.start(defaultSettings());
    vi.advanceTimersByTime(15_000);
    expect(engines[0]?.killed).toBe(true);
    expect(supervisor.status.phase).toBe("restarting");
  });

  it("ignores messages of another shape", () => {
    supervisor.start(defaultSettings());
    engines[0]?.emit("message", { type: "listening", url: 5 });
    engines[0]?.emit("message", "listening");
    expect(supervisor.status.phase).toBe("starting");
  });

  it("stop is not a crash", async () => {
    supervisor.start(defaultSettings());
    engines[0]?.listen();
    const stopped = supervisor.stop();
    expect(engines[0]?.commands.at(-1)).toEqual({ type: "stop" });
    engines[0]?.crash(0);
    await stopped;
    vi.advanceTimersByTime(10_000);
    expect(supervisor.status.phase).toBe("stopped");
    expect(engines).toHaveLength(1);
  });
});
