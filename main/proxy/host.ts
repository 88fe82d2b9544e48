/**
 * Entry point of the engine process. Under the desktop app it runs in an
 * Electron utility process and talks to main through `process.parentPort`;
 * started with `child_process.fork` (as the tests do) it uses the IPC
 * channel of `process.send`. It imports nothing from Electron either way.
 */
import type { EngineEvent } from "../../shared/engine-protocol.js";
import { createLogger } from "../../shared/logger.js";
import { HostSession, type HostChannel } from "./host-session.js";

/** The part of Electron's `process.parentPort` that the host uses. */
interface ParentPort {
  on(event: "message", listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function connect(): HostChannel {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (event: EngineEvent) => parentPort.postMessage(event),
      onMessage: (listener) =>
        parentPort.on("message", (event) => listener(event.data)),
    };
  }

  const send = process.send?.bind(process);
  if (!send) {
    throw new Error(
      "the engine host must be started by Node Shield's main process or with child_process.fork",
    );
  }
  // Without a parent the engine serves no one, so it stops too.
  process.on("disconnect", () => process.exit(0));
  return {
    post: (event: EngineEvent) => void send(event),
    onMessage: (listener) => process.on("message", listener),
  };
}

const logger = createLogger({
  level: process.env.NODE_SHIELD_LOG_LEVEL ?? "info",
  format: "json",
});
new HostSession(connect(), {
  logger,
  statsIntervalMs: Number(process.env.NODE_SHIELD_STATS_INTERVAL_MS) || 1000,
  exit: () => process.exit(0),
});
