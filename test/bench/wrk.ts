/**
 * Runs wrk with a POST of a legacy API command and reads its summary.
 */
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { run } from "./processes.js";

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  command: string;
}

/** Writes the Lua script that turns every request into the POST. */
export async function writeScript(authorization: string): Promise<string> {
  const path = join(tmpdir(), `node-shield-bench-${process.pid}.lua`);
  await writeFile(
    path,
    `wrk.method = "POST"
wrk.body = '{"command":"getNodeInfo"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-IOTA-API-Version"] = "1"
wrk.headers["Authorization"] = "${authorization}"
`,
  );
  return path;
}

function milliseconds(value: string, unit: string): number {
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
  return Number(value) * (scale[unit] ?? Number.NaN);
}

/** Runs wrk against a URL. */
export async function wrk(
  url: string,
  script: string,
  connections: number,
  seconds: number,
): Promise<WrkResult> {
  const threads = Math.min(2, connections);
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    "--timeout",
    "5s",
    "-s",
    script,
    url,
  ];
  const { stdout, status } = await run("wrk", args);
  if (status !== 0) throw new Error(`wrk failed: ${stdout}`);

  const percentile = (label: string) => {
    const match = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)$`, "m").exec(
      stdout,
    );
    return match ? milliseconds(match[1] ?? "", match[2] ?? "") : Number.NaN;
  };
  const errors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
      stdout,
    );
  return {
    requestsPerSecond: Number(
      /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN,
    ),
    p50Ms: percentile("50"),
    p99Ms: percentile("99"),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
    socketErrors: errors
      ? errors.slice(1).reduce((sum, value) => sum + Number(value), 0)
      : 0,
    command: `wrk ${args.map((arg) => (arg === script ? "post.lua" : arg)).join(" ")}`,
  };
}
