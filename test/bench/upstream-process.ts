/**
 * The test IOTA node in a process of its own, so that it does not share an
 * event loop with the load generator or the proxy. It counts requests per
 * `x-test-client` header instead of keeping them.
 */
import { TestIotaNode } from "../support/iota-node.js";

const node = new TestIotaNode({ record: false });
await node.start(Number(process.argv[2] ?? 0));
process.send?.({ type: "ready", port: node.port });

process.on("message", (message: { type: string }) => {
  if (message.type === "tally")
    process.send?.({ type: "tally", tally: Object.fromEntries(node.tally) });
  if (message.type === "reset") {
    node.tally.clear();
    process.send?.({ type: "reset" });
  }
});
process.on("disconnect", () => process.exit(0));
