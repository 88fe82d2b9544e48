/**
 * Node Shield's engine in a process of its own, as the desktop app and the
 * headless command run it, with a message channel for the benchmark to read
 * its statistics and table sizes.
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

import { Engine } from "../../main/proxy/engine.js";
import { createLogger } from "../../shared/logger.js";
import { parseSettings } from "../../shared/settings.js";

const parsed = parseSettings(
  JSON.parse(readFileSync(String(process.argv[2]), "utf8")),
);
if (!parsed.ok) {
  process.stderr.write(`${parsed.message}\n`);
  process.exit(2);
}
const engine = new Engine(parsed.settings, {
  logger: createLogger({ level: "warn", format: "json" }),
});
const address = await engine.start();
process.send?.({ type: "ready", port: address.port });
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

process.on("message", (message: { type: string }) => {
  if (message.type === "reset-loop-delay") {
    loopDelay.reset();
    process.send?.({ type: "reset-loop-delay" });
    return;
  }
  if (message.type !== "snapshot") return;
  // With --expose-gc the figures leave out garbage that is not yet collected.
  (globalThis as { gc?: () => void }).gc?.();
  const snapshot = engine.snapshot();
  process.send?.({
    type: "snapshot",
    tables: snapshot.tables,
    rejected: snapshot.rejected,
    forwarded: snapshot.forwarded,
    memory: process.memoryUsage(),
    loopDelayMs: {
      p50: loopDelay.percentile(50) / 1e6,
      p99: loopDelay.percentile(99) / 1e6,
      max: loopDelay.max / 1e6,
    },
  });
});
process.on(
  "disconnect",
  () => void engine.stop(500).then(() => process.exit(0)),
);
