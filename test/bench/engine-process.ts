/**
 * Node Shield's engine in a process of its own, as the desktop app and the
 * headless command run it, with a message channel for the benchmark to read
 * its statistics and table sizes.
 */
import { readFileSync } from "node:fs";

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

process.on("message", (message: { type: string }) => {
  if (message.type !== "snapshot") return;
  const snapshot = engine.snapshot();
  process.send?.({
    type: "snapshot",
    tables: snapshot.tables,
    rejected: snapshot.rejected,
    forwarded: snapshot.forwarded,
    memory: process.memoryUsage(),
  });
});
process.on(
  "disconnect",
  () => void engine.stop(500).then(() => process.exit(0)),
);
