/**
 * Child processes of the benchmark: the test node, the engine, nginx and
 * load generators, with RSS sampling from /proc.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

import { ENGINE_NODE_OPTIONS } from "../../main/proxy/engine-options.js";

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const BUILT = fileURLToPath(new URL("../../dist/bench/", import.meta.url));
const ENTRIES = [
  "upstream-process",
  "engine-process",
  "blaster-process",
  "minimal-proxy",
];

/**
 * Bundles the benchmark's processes as the production build bundles the
 * engine, so that they run plain JavaScript without a loader.
 */
export async function buildProcesses(): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(
      ENTRIES.map((name) => [name, here(`${name}.ts`)]),
    ),
    outdir: BUILT,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    packages: "external",
    logLevel: "warning",
  });
}

const built = (name: string) => join(BUILT, `${name.replace(/\.ts$/, "")}.mjs`);

/** A forked Node process that talks over IPC. */
export class Worker {
  readonly child: ChildProcess;
  port = 0;

  constructor(
    script: string,
    args: string[],
    execArgv: readonly string[] = [],
  ) {
    this.child = fork(built(script), args, {
      execArgv: [...execArgv],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  }

  async ready(): Promise<this> {
    const [message] = (await once(this.child, "message")) as [
      { type: string; port: number },
    ];
    if (message.type !== "ready")
      throw new Error(`${String(this.child.spawnfile)} did not start`);
    this.port = message.port;
    return this;
  }

  /** Sends `{type}` and waits for the reply of the same type. */
  ask<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        this.child.off("message", onMessage);
        resolve(message as T);
      };
      this.child.on("message", onMessage);
      this.child.send({ type });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}

export async function startUpstream(): Promise<Worker> {
  return new Worker("upstream-process.ts", ["0"]).ready();
}

/** Starts the engine with the Node options the desktop app gives it. */
export async function startEngine(
  settingsPath: string,
  execArgv: readonly string[] = ENGINE_NODE_OPTIONS,
): Promise<Worker> {
  return new Worker("engine-process.ts", [settingsPath], execArgv).ready();
}

/** Starts the minimal Node proxy in front of the node. */
export async function startMinimalProxy(upstreamPort: number): Promise<Worker> {
  return new Worker("minimal-proxy.ts", [
    `http://127.0.0.1:${upstreamPort}`,
  ]).ready();
}

/** Resident set size of a process, in bytes, or 0 once it has gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the RSS of a process at an interval until stopped. */
export function sampleRss(
  pid: number,
  intervalMs = 500,
): { stop(): { timeMs: number; rssBytes: number }[] } {
  const started = performance.now();
  const samples: { timeMs: number; rssBytes: number }[] = [];
  const take = () =>
    samples.push({
      timeMs: Math.round(performance.now() - started),
      rssBytes: rssBytes(pid),
    });
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Runs a command and returns its standard output. */
export async function run(
  command: string,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await once(child, "exit")) as [number | null];
  return { status, stdout, stderr };
}

/** Runs the load generator in a process of its own, so that it has a core to itself when one is free. */
export async function blastInProcess<T>(options: unknown): Promise<T> {
  const child = fork(built("blaster-process"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.send(options as object);
  const [message] = (await once(child, "message")) as [T];
  await once(child, "exit");
  return message;
}
