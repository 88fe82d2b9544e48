/**
 * Starts the engine in an Electron utility process, which is a Node process
 * of its own. A flood on the public port then does not block the tray or the
 * window, and a crash of the engine does not take the app down.
 */
import { utilityProcess } from "electron";

import type { EngineProcess, SpawnEngine } from "./engine-supervisor.js";
import { ENGINE_NODE_OPTIONS } from "./proxy/engine-options.js";

/** Returns a function that forks the engine host at `entry`. */
export function utilityProcessSpawner(entry: string): SpawnEngine {
  return (): EngineProcess => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: "Node Shield engine",
      execArgv: [...ENGINE_NODE_OPTIONS],
      stdio: "inherit",
    });
    return {
      send: (command) => child.postMessage(command),
      onMessage: (listener) => child.on("message", listener),
      onExit: (listener) => child.on("exit", (code) => listener(code)),
      kill: () => void child.kill(),
    };
  };
}
