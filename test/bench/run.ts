/**
 * `npm run bench`: measures Node Shield against the test node and against
 * nginx set up as IOTA's recipe does, then writes docs/benchmarks.md and
 * docs/benchmarks.json. `--quick` runs every scenario briefly and writes to
 * test-results/ instead, to check that the benchmark itself works.
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { cpus, release } from "node:os";

import { FULL_TIMING, missingPrerequisites, QUICK_TIMING } from "./common.js";
import { buildProcesses, run, startUpstream } from "./processes.js";
import { checkTargets, renderReport, type BenchResults } from "./report.js";
import { floods } from "./scenarios/floods.js";
import { manyClients } from "./scenarios/many-clients.js";
import { passwordSchemes } from "./scenarios/password.js";
import { rejections } from "./scenarios/rejections.js";
import { throughput } from "./scenarios/throughput.js";

const START =
  "<!-- Results of npm run bench: everything down to the end marker is rewritten by each run. -->";
const END = "<!-- End of the results of npm run bench. -->";

const quick = process.argv.includes("--quick");
const timing = quick ? QUICK_TIMING : FULL_TIMING;
const markdownPath = quick
  ? "test-results/benchmarks.md"
  : "docs/benchmarks.md";
const jsonPath = quick
  ? "test-results/benchmarks.json"
  : "docs/benchmarks.json";

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function machine(): Promise<Record<string, string>> {
  const nginx = await run("nginx", ["-v"]);
  const wrk = await run("wrk", ["--version"]);
  return {
    CPU: `${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores`,
    kernel: `Linux ${release()}`,
    Node: process.version,
    nginx: nginx.stderr.trim().replace("nginx version: ", ""),
    wrk: (wrk.stdout || wrk.stderr).split("\n")[0]?.trim() ?? "",
  };
}

/** Puts the results between the markers, keeping whatever the page has around them. */
async function writeMarkdown(report: string): Promise<void> {
  let page: string;
  try {
    page = await readFile(markdownPath, "utf8");
  } catch {
    page = `# Benchmarks\n\n${START}\n${END}\n`;
  }
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  const before = start === -1 ? `${page}\n` : page.slice(0, start);
  const after = end === -1 ? "" : page.slice(end + END.length);
  await writeFile(
    markdownPath,
    `${before}${START}\n\n${report}\n${END}${after}`,
  );
}

async function main(): Promise<number> {
  const missing = await missingPrerequisites();
  if (missing.length > 0) {
    process.stderr.write(
      `The benchmark needs programs that are not installed: ${missing.join(", ")}.\nInstall them (for example: apt-get install nginx wrk openssl) and run it again. It installs nothing itself.\n`,
    );
    return 1;
  }

  await mkdir("test-results", { recursive: true });
  await buildProcesses();
  const upstream = await startUpstream();
  try {
    progress("1/5 throughput and latency");
    const throughputResult = await throughput(upstream, timing);
    progress("2/5 cost of a rejection");
    const rejectionsResult = await rejections(upstream, timing);
    progress("3/5 flood survival");
    const floodsResult = await floods(upstream, timing);
    progress(`4/5 ${timing.clients} distinct clients`);
    const manyResult = await manyClients(upstream, timing);
    progress("5/5 password schemes");
    const passwordResult = await passwordSchemes(upstream, timing);

    const results: BenchResults = {
      date: new Date().toISOString().slice(0, 10),
      machine: await machine(),
      timing,
      throughput: throughputResult,
      rejections: rejectionsResult,
      floods: floodsResult,
      manyClients: manyResult,
      password: passwordResult,
    };
    const checks = checkTargets(results);
    await writeFile(
      jsonPath,
      `${JSON.stringify({ ...results, checks }, null, 2)}\n`,
    );
    await writeMarkdown(renderReport(results, checks));
    for (const check of checks)
      progress(
        `${check.met ? "met   " : "MISSED"} ${check.scenario}: ${check.target}: ${check.measured}`,
      );
    progress(`wrote ${markdownPath} and ${jsonPath}`);
    return 0;
  } finally {
    await upstream.stop();
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
