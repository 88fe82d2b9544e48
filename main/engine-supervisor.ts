/**
 * Runs the engine in its own process and keeps it running: it sends the
 * settings down, passes stats and the node's status up, restarts the engine
 * with backoff after a crash and gives up after repeated crashes.
 */
import { EventEmitter } from "node:events";

import type { EngineStatus, NodeStatus } from "../shared/app-state.js";
import {
  readEngineEvent,
  type EngineCommand,
  type EngineEvent,
} from "../shared/engine-protocol.js";
import type { Logger } from "../shared/logger.js";
import type { Settings } from "../shared/settings.js";
import type { StatsSnapshot } from "../shared/stats.js";

/** A started engine process, whatever started it. */
export interface EngineProcess {
  send(command: EngineCommand): void;
  onMessage(listener: (message: unknown) => void): void;
  /** `code` is null when a signal ended the process. */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineProcess;

export interface SupervisorOptions {
  logger: Logger;
  /** Delay before the restart after the first, second, … crash, in milliseconds. */
  backoffMs?: readonly number[];
  /** Crashes within `crashWindowMs` after which the supervisor gives up. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /**
   * Maximum time in milliseconds for the engine to start listening, after
   * which it is killed, or to reply to an update, after which the update fails.
   */
  replyTimeoutMs?: number;
  now?: () => number;
}

export interface SupervisorEvents {
  status: [EngineStatus];
  stats: [StatsSnapshot];
  node: [NodeStatus];
}

export type ApplyResult = { ok: true } | { ok: false; message: string };

const DEFAULT_BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/** Supervises one engine process at a time. */
export class EngineSupervisor extends EventEmitter<SupervisorEvents> {
  readonly #spawn: SpawnEngine;
  readonly #log: Logger;
  readonly #backoffMs: readonly number[];
  readonly #maxCrashes: number;
  readonly #crashWindowMs: number;
  readonly #replyTimeoutMs: number;
  readonly #now: () => number;
  #settings: Settings | undefined;
  #launchedWith: Settings | undefined;
  #process: EngineProcess | undefined;
  #status: EngineStatus = { phase: "stopped", crashes: 0 };
  #crashTimes: number[] = [];
  #restartTimer: NodeJS.Timeout | undefined;
  #startTimer: NodeJS.Timeout | undefined;
  #nextUpdateId = 1;
  readonly #pendingUpdates = new Map<number, (result: ApplyResult) => void>();
  #stopping: Promise<void> | undefined;

  constructor(spawn: SpawnEngine, options: SupervisorOptions) {
    super();
    this.#spawn = spawn;
    this.#log = options.logger.child({ module: "supervisor" });
    this.#backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#maxCrashes = options.maxCrashes ?? 5;
    this.#crashWindowMs = options.crashWindowMs ?? 60_000;
    this.#replyTimeoutMs = options.replyTimeoutMs ?? 15_000;
    this.#now = options.now ?? Date.now;
  }

  get status(): EngineStatus {
    return this.#status;
  }

  /** The settings that the engine runs on, or will run on at its next start. */
  get settings(): Settings | undefined {
    return this.#settings;
  }

  /** Starts the engine on `settings`, forgetting earlier crashes. */
  start(settings: Settings): void {
    this.#settings = settings;
    this.#crashTimes = [];
    this.#cancelRestart();
    if (this.#process) return;
    this.#launch();
  }

  /**
   * Applies settings. A running engine applies them at once and may reject
   * them, for example when the new port is in use. An engine that is starting
   * or restarting gets them at its next start, and a failed one is started
   * again on them.
   */
  async apply(settings: Settings): Promise<ApplyResult> {
    const child = this.#process;
    if (!child || this.#status.phase !== "running") {
      this.#settings = settings;
      if (this.#status.phase === "failed") this.start(settings);
      return { ok: true };
    }

    const id = this.#nextUpdateId++;
    const result = await new Promise<ApplyResult>((resolve) => {
      // NOTE: an engine that replies after the timeout may still have applied
      // the settings, while main keeps showing and storing the previous ones.
      const timer = setTimeout(() => {
        this.#pendingUpdates.delete(id);
        resolve({
          ok: false,
          message: `timed out after ${this.#replyTimeoutMs / 1000} s waiting for the engine to apply the settings. Try again, or restart Node Shield if it keeps happening.`,
        });
      }, this.#replyTimeoutMs);
      this.#pendingUpdates.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      child.send({ type: "update", id, settings });
    });
    if (result.ok) this.#settings = settings;
    return result;
  }

  /** Blocks a client address in the running engine. */
  block(address: string, seconds: number): void {
    this.#process?.send({ type: "block", address, seconds });
  }

  /** Lifts a block or lockout in the running engine. */
  unblock(address: string): void {
    this.#process?.send({ type: "unblock", address });
  }

  /** Starts a failed or stopped engine again on the last settings. */
  restart(): void {
    if (this.#settings && !this.#process) this.start(this.#settings);
  }

  /** Stops the engine, killing it if it does not stop within `graceMs`. */
  stop(graceMs = 3000): Promise<void> {
    this.#cancelRestart();
    const child = this.#process;
    if (!child) {
      this.#setStatus({ phase: "stopped", crashes: 0 });
      return Promise.resolve();
    }
    this.#stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill(), graceMs);
      child.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      child.send({ type: "stop" });
    });
    return this.#stopping;
  }

  #launch(): void {
    const settings = this.#settings;
    if (!settings) return;
    this.#setStatus({
      phase: this.#crashTimes.length > 0 ? "restarting" : "starting",
      crashes: this.#crashTimes.length,
      error: this.#status.error,
    });

    let child: EngineProcess;
    try {
      child = this.#spawn();
    } catch (error) {
      this.#fail(`failed to start the engine process: ${String(error)}`);
      return;
    }
    this.#process = child;
    child.onMessage((message) => this.#onMessage(child, message));
    child.onExit((code) => this.#onExit(child, code));
    this.#startTimer = setTimeout(() => {
      this.#log.error(
        { timeoutMs: this.#replyTimeoutMs },
        "timed out waiting for the engine to listen, killing it",
      );
      child.kill();
    }, this.#replyTimeoutMs);
    this.#launchedWith = settings;
    child.send({ type: "start", settings });
  }

  #onMessage(child: EngineProcess, message: unknown): void {
    if (child !== this.#process) return;
    const event = readEngineEvent(message);
    if (!event) {
      this.#log.warn("ignored a message that is not an engine event");
      return;
    }
    this.#onEvent(child, event);
  }

  #onEvent(child: EngineProcess, event: EngineEvent): void {
    switch (event.type) {
      case "listening":
        clearTimeout(this.#startTimer);
        this.#log.info({ url: event.url }, "the engine is listening");
        this.#setStatus({
          phase: "running",
          listenUrl: event.url,
          crashes: this.#crashTimes.length,
        });
        // Settings applied while the engine was starting reach it now.
        if (this.#settings && this.#settings !== this.#launchedWith)
          void this.apply(this.#settings);
        return;
      case "start-failed":
        clearTimeout(this.#startTimer);
        // The same settings would fail again, so wait for new ones. The
        // process is let go at once, so that new settings start a new one.
        this.#process = undefined;
        child.send({ type: "stop" });
        this.#fail(event.message);
        return;
      case "update-result":
        this.#pendingUpdates.get(event.id)?.(
          event.ok
            ? { ok: true }
            : { ok: false, message: event.message ?? "rejected" },
        );
        this.#pendingUpdates.delete(event.id);
        if (event.ok && event.url && event.url !== this.#status.listenUrl)
          this.#setStatus({ ...this.#status, listenUrl: event.url });
        return;
      case "stats":
        this.emit("stats", event.snapshot);
        return;
      case "node-status":
        this.emit("node", event.status);
        return;
      case "stopped":
        return;
    }
  }

  #onExit(child: EngineProcess, code: number | null): void {
    if (child !== this.#process) return;
    this.#process = undefined;
    clearTimeout(this.#startTimer);
    for (const resolve of this.#pendingUpdates.values())
      resolve({ ok: false, message: "the engine process exited" });
    this.#pendingUpdates.clear();

    if (this.#stopping) {
      this.#stopping = undefined;
      this.#log.info("the engine stopped");
      this.#setStatus({ phase: "stopped", crashes: 0 });
      return;
    }
    if (this.#status.phase === "failed") return;
    this.#onCrash(code);
  }

  #onCrash(code: number | null): void {
    const now = this.#now();
    this.#crashTimes = this.#crashTimes.filter(
      (time) => now - time < this.#crashWindowMs,
    );
    this.#crashTimes.push(now);
    const crashes = this.#crashTimes.length;
    const exit = code === null ? "was killed" : `exited with code ${code}`;

    if (crashes >= this.#maxCrashes) {
      this.#log.error(
        { crashes },
        "the engine keeps crashing, no more restarts",
      );
      this.#fail(
        `the engine process ${exit} and crashed ${crashes} times within ${Math.round(this.#crashWindowMs / 1000)} seconds, so Node Shield stopped restarting it. Check the log, then restart the engine.`,
        crashes,
      );
      return;
    }

    const delay =
      this.#backoffMs[Math.min(crashes, this.#backoffMs.length) - 1] ?? 1000;
    this.#log.warn({ crashes, delayMs: delay }, `the engine process ${exit}`);
    this.#setStatus({
      phase: "restarting",
      crashes,
      error: `the engine process ${exit}`,
      restartAt: now + delay,
    });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#launch();
    }, delay);
  }

  #fail(message: string, crashes = this.#crashTimes.length): void {
    this.#log.error({ err: message }, "the engine is not running");
    this.#setStatus({ phase: "failed", error: message, crashes });
  }

  #cancelRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  #setStatus(status: EngineStatus): void {
    this.#status = status;
    this.emit("status", status);
  }
}
