/**
 * The engine process's side of the engine protocol: it runs one engine,
 * applies the settings that main sends and reports the listen address,
 * stats and the node's status.
 */
import type { NodeStatus } from "../../shared/app-state.js";
import {
  readEngineCommand,
  type EngineEvent,
  type ReceivedEngineCommand,
} from "../../shared/engine-protocol.js";
import type { Logger } from "../../shared/logger.js";
import { parseSettings, type Settings } from "../../shared/settings.js";
import { Engine, ListenError } from "./engine.js";
import { checkNode } from "./node-info.js";

/** The channel through which the session reaches main. */
export interface HostChannel {
  post(event: EngineEvent): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface HostSessionOptions {
  logger: Logger;
  statsIntervalMs?: number;
  nodeCheckIntervalMs?: number;
  /** Called once the engine has stopped after a stop command. */
  exit: () => void;
}

/** Clients sent per snapshot; the dashboard shows the most recent ones. */
const CLIENTS_PER_SNAPSHOT = 200;
const NODE_CHECK_TIMEOUT_MS = 5000;

/** Runs an engine on behalf of main. */
export class HostSession {
  readonly #channel: HostChannel;
  readonly #options: HostSessionOptions;
  readonly #log: Logger;
  #engine: Engine | undefined;
  #timers: NodeJS.Timeout[] = [];
  #checking = false;
  #recheck = false;

  constructor(channel: HostChannel, options: HostSessionOptions) {
    this.#channel = channel;
    this.#options = options;
    this.#log = options.logger.child({ module: "engine-host" });
    channel.onMessage((message) => void this.#handle(message));
  }

  async #handle(message: unknown): Promise<void> {
    const command = readEngineCommand(message);
    if (!command) {
      this.#log.warn("ignored a message that is not an engine command");
      return;
    }
    try {
      await this.#run(command);
    } catch (error) {
      this.#log.error(
        { err: error instanceof Error ? error.stack : String(error) },
        `engine command ${command.type} failed`,
      );
    }
  }

  async #run(command: ReceivedEngineCommand): Promise<void> {
    switch (command.type) {
      case "start":
        return this.#start(command.settings);
      case "update":
        return this.#update(command.id, command.settings);
      case "block":
        this.#engine?.block(command.address, command.seconds);
        return;
      case "unblock":
        this.#engine?.unblock(command.address);
        return;
      case "stop":
        return this.#stop();
    }
  }

  async #start(input: unknown): Promise<void> {
    if (this.#engine) return;
    const parsed = parseSettings(input);
    if (!parsed.ok) {
      this.#channel.post({ type: "start-failed", message: parsed.message });
      return;
    }

    const engine = new Engine(parsed.settings, {
      logger: this.#options.logger,
    });
    try {
      const address = await engine.start();
      this.#engine = engine;
      this.#channel.post({
        type: "listening",
        url: address.url,
        port: address.port,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof ListenError ? error.code : undefined;
      this.#channel.post({ type: "start-failed", message, code });
      return;
    }
    this.#startTimers();
    void this.#checkNode(parsed.settings);
  }

  async #update(id: number, input: unknown): Promise<void> {
    const engine = this.#engine;
    if (!engine) {
      this.#channel.post({
        type: "update-result",
        id,
        ok: false,
        message: "the engine is not running",
      });
      return;
    }
    const previousUpstream = engine.settings.upstream.url;
    const result = await engine.update(input);
    this.#channel.post({
      type: "update-result",
      id,
      ok: result.ok,
      message: result.ok ? undefined : result.message,
      url: engine.address?.url,
    });
    if (result.ok && result.settings.upstream.url !== previousUpstream)
      void this.#checkNode(result.settings);
  }

  async #stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#engine?.stop(2000);
    this.#engine = undefined;
    this.#channel.post({ type: "stopped" });
    this.#options.exit();
  }

  #startTimers(): void {
    const statsTimer = setInterval(
      () => this.#postStats(),
      this.#options.statsIntervalMs ?? 1000,
    );
    const nodeTimer = setInterval(() => {
      if (this.#engine) void this.#checkNode(this.#engine.settings);
    }, this.#options.nodeCheckIntervalMs ?? 10_000);
    this.#timers.push(statsTimer, nodeTimer);
  }

  #postStats(): void {
    if (!this.#engine) return;
    const snapshot = this.#engine.snapshot();
    this.#channel.post({
      type: "stats",
      snapshot: {
        ...snapshot,
        clients: snapshot.clients.slice(0, CLIENTS_PER_SNAPSHOT),
      },
    });
  }

  async #checkNode(settings: Settings): Promise<void> {
    // One check at a time. A request during a check (after an upstream
    // change, say) runs once that check is done, on the settings then.
    if (this.#checking) {
      this.#recheck = true;
      return;
    }
    this.#checking = true;
    let status: NodeStatus;
    try {
      status = await checkNode(settings.upstream.url, NODE_CHECK_TIMEOUT_MS);
    } finally {
      this.#checking = false;
    }
    this.#channel.post({ type: "node-status", status });
    if (this.#recheck && this.#engine) {
      this.#recheck = false;
      void this.#checkNode(this.#engine.settings);
    }
  }
}
