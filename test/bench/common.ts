/**
 * Shared pieces of the benchmark: prerequisites, settings files, medians
 * and the credentials every client uses.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { SettingsInput } from "../../shared/settings.js";
import { blastInProcess, run, startEngine, type Worker } from "./processes.js";
import type { BlastOptions, BlastResult } from "./blaster.js";

/** Hornet's test vector: password `iota`, salt `mysecretsalt`. */
export const HORNET_AUTH = {
  enabled: true,
  username: "admin",
  passwordHash:
    "6d2c5b160faf1603fc21df32597f2bfdf30a5cf87e44e41bd6160547214bad6e",
  passwordSalt: "mysecretsalt",
};
export const GOOD_AUTHORIZATION = `Basic ${Buffer.from("admin:iota").toString("base64")}`;
export const BAD_AUTHORIZATION = `Basic ${Buffer.from("admin:guess").toString("base64")}`;

/** The client that the whitelist lets in, and one that it does not. */
export const WHITELISTED = "127.0.0.2";
export const STRANGER = "127.0.0.3";

/** How long each measurement runs; `--quick` shortens every one. */
export interface Timing {
  rounds: number;
  seconds: number;
  floodSeconds: number;
  clients: number;
}

export const FULL_TIMING: Timing = {
  rounds: 3,
  seconds: 4,
  floodSeconds: 8,
  clients: 100_000,
};
export const QUICK_TIMING: Timing = {
  rounds: 1,
  seconds: 1,
  floodSeconds: 2,
  clients: 5_000,
};

/** Returns the programs the benchmark needs that are not installed. */
export async function missingPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  for (const [command, args, hint] of [
    ["nginx", ["-v"], "nginx (Debian package nginx)"],
    ["wrk", ["--version"], "wrk (Debian package wrk)"],
    ["openssl", ["version"], "openssl (Debian package openssl)"],
  ] as const) {
    const result = await run(command, [...args]).catch(() => ({ status: -1 }));
    // wrk --version exits with status 1 after printing its version.
    if (result.status === -1 || result.status === 127) missing.push(hint);
  }
  return missing;
}

let directory: string | undefined;

/** Writes a settings file for the engine and starts it. */
export async function engineWith(
  upstreamPort: number,
  settings: SettingsInput,
  execArgv?: string[],
): Promise<Worker> {
  directory ??= await mkdtemp(join(tmpdir(), "node-shield-bench-"));
  const path = join(
    directory,
    `settings-${Date.now()}-${Math.random().toString(36).slice(2)}.json`,
  );
  const document = {
    ...settings,
    listen: { host: "127.0.0.1", port: 0 },
    upstream: { url: `http://127.0.0.1:${upstreamPort}` },
  };
  await writeFile(path, JSON.stringify(document, null, 2));
  return startEngine(path, execArgv);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function blastFrom(options: BlastOptions): Promise<BlastResult> {
  return blastInProcess<BlastResult>(options);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
