/**
 * Runs one load generator with the options given as JSON and sends its
 * result back over IPC.
 */
import { blast, type BlastOptions } from "./blaster.js";

const options = JSON.parse(String(process.argv[2])) as BlastOptions;
const result = await blast(options);
process.send?.(result, () => process.exit(0));
