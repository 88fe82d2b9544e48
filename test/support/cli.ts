/**
 * Runs the built `node-shield` command as a child process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export const CLI_PATH = fileURLToPath(
  new URL("../../dist/cli.js", import.meta.url),
);

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in standard output, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit status. */
  exited(): Promise<number | null>;
}

export function startCli(args: string[], input?: string): RunningCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  if (input !== undefined) child.stdin?.end(input);
  const exit = once(child, "exit").then(([code]) => code as number | null);

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    waitFor(pattern, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `timed out waiting for ${pattern}; stdout: ${out}; stderr: ${err}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout?.off("data", check);
        };
        child.stdout?.on("data", check);
        check();
      });
    },
  };
}

/** Runs the command to completion. */
export async function runCli(
  args: string[],
  input?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, input);
  const status = await cli.exited();
  return { status, stdout: cli.stdout(), stderr: cli.stderr() };
}
