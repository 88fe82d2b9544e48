/**
 * Runs one load generator with the options it receives over IPC and sends
 * its result back the same way. The options can hold 100,000 source
 * addresses, more than a command line takes.
 */
import { blast, type BlastOptions } from "./blaster.js";

process.once("message", (options: BlastOptions) => {
  void blast(options).then((result) =>
    process.send?.(result, () => process.exit(0)),
  );
});
