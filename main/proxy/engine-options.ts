/**
 * Node options of the process that runs the engine.
 *
 * V8 grows the young generation up to 16 MiB per semi-space under the
 * allocation rate of a flood, and the process keeps that memory. A 4 MiB
 * cap keeps the engine's RSS about 25 MiB lower under load; the benchmark
 * (docs/benchmarks.md) found no difference in throughput.
 */
export const ENGINE_NODE_OPTIONS: readonly string[] = [
  "--max-semi-space-size=4",
];
