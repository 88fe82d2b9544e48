/**
 * An engine process double: it records the commands it receives and
 * replies the way the engine host does, or the way the test scripts it to.
 */
import { EventEmitter } from "node:events";

import type { EngineProcess } from "../../main/engine-supervisor.js";
import type { EngineCommand } from "../../shared/engine-protocol.js";

export class ScriptedEngine extends EventEmitter implements EngineProcess {
  readonly commands: EngineCommand[] = [];
  killed = false;
  /** Whether start and update commands get replies, as from a healthy engine. */
  autoReply = false;
  /** Message of the next update rejection, when set. */
  rejectNextUpdate: string | undefined;

  send(command: EngineCommand): void {
    this.commands.push(command);
    if (!this.autoReply) return;
    queueMicrotask(() => this.#reply(command));
  }
  onMessage(listener: (message: unknown) => void): void {
    this.on("message", listener);
  }
  onExit(listener: (code: number | null) => void): void {
    this.on("exit", listener);
  }
  kill(): void {
    this.killed = true;
    this.emit("exit", null);
  }
  listen(port = 14266): void {
    this.emit("message", {
      type: "listening",
      url: `http://0.0.0.0:${port}`,
      port,
    });
  }
  crash(code: number | null = 1): void {
    this.emit("exit", code);
  }

  #reply(command: EngineCommand): void {
    if (command.type === "start") this.listen(command.settings.listen.port);
    if (command.type === "stop") this.crash(0);
    if (command.type !== "update") return;
    const message = this.rejectNextUpdate;
    this.rejectNextUpdate = undefined;
    this.emit("message", {
      type: "update-result",
      id: command.id,
      ok: message === undefined,
      message,
    });
  }
}
