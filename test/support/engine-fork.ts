/**
 * Starts the built engine host with `child_process.fork`, the way the
 * browser and supervisor tests run the engine without Electron.
 */
import { fork } from "node:child_process";

import type {
  EngineProcess,
  SpawnEngine,
} from "../../main/engine-supervisor.js";
import { ENGINE_HOST } from "./paths.js";

export interface ForkedEngines {
  spawn: SpawnEngine;
  /** Process ids of every engine started, in order. */
  pids: number[];
  /** Kills the newest engine process with SIGKILL, as a crash would end it. */
  crashLatest(): void;
  killAll(): void;
}

/** Returns a spawner of real engine processes. */
export function forkedEngines(env: NodeJS.ProcessEnv = {}): ForkedEngines {
  const children: ReturnType<typeof fork>[] = [];
  const spawn: SpawnEngine = (): EngineProcess => {
    const child = fork(ENGINE_HOST, [], {
      env: { ...process.env, NODE_SHIELD_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    children.push(child);
    return {
      send: (command) => {
        if (child.connected) child.send(command);
      },
      onMessage: (listener) => child.on("message", listener),
      onExit: (listener) => child.on("exit", (code) => listener(code)),
      kill: () => child.kill("SIGKILL"),
    };
  };
  return {
    spawn,
    get pids() {
      return children.map((child) => child.pid ?? -1);
    },
    crashLatest() {
      children.at(-1)?.kill("SIGKILL");
    },
    killAll() {
      for (const child of children)
        if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
