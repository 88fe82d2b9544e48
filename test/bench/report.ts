/**
 * The benchmark report: Markdown tables with ratios to the baselines of the
 * same run, and a check of each target.
 */
import type { FloodRun } from "./scenarios/floods.js";
import type { ManyClientsResult } from "./scenarios/many-clients.js";
import type { PasswordResult } from "./scenarios/password.js";
import type { RejectionsResult } from "./scenarios/rejections.js";
import type { ThroughputResult } from "./scenarios/throughput.js";

export interface BenchResults {
  date: string;
  machine: Record<string, string>;
  timing: {
    rounds: number;
    seconds: number;
    floodSeconds: number;
    clients: number;
  };
  throughput: ThroughputResult;
  rejections: RejectionsResult;
  floods: FloodRun[];
  manyClients: ManyClientsResult;
  password: PasswordResult;
}

export interface TargetCheck {
  scenario: string;
  target: string;
  measured: string;
  met: boolean;
}

const MB = 1024 * 1024;
const fixed = (value: number, digits = 2) =>
  Number.isFinite(value) ? value.toFixed(digits) : "n/a";
const whole = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a";
const megabytes = (bytes: number) => `${fixed(bytes / MB, 1)} MB`;

/** Checks every target of the benchmark against the results. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const [direct, nginx, shield] = results.throughput.targets;
  const checks: TargetCheck[] = [];
  if (direct && nginx && shield) {
    const overNginx = shield.requestsPerSecond / nginx.requestsPerSecond;
    const overDirect = shield.requestsPerSecond / direct.requestsPerSecond;
    const addedMs = shield.p50SingleMs - direct.p50SingleMs;
    checks.push({
      scenario: "1",
      target: "≥ 1.3 × nginx requests/s",
      measured: `${fixed(overNginx)} ×`,
      met: overNginx >= 1.3,
    });
    checks.push({
      scenario: "1",
      target: "≥ 0.3 × direct requests/s",
      measured: `${fixed(overDirect)} ×`,
      met: overDirect >= 0.3,
    });
    checks.push({
      scenario: "1",
      target: "added p50 at 1 connection ≤ 0.2 ms",
      measured: `${fixed(addedMs, 3)} ms`,
      met: addedMs <= 0.2,
    });
  }
  for (const path of results.rejections.paths) {
    checks.push({
      scenario: "2",
      target: `${path.path} ≥ 2 × forwarding`,
      measured: `${fixed(path.ratioToForwarding)} ×`,
      met: path.ratioToForwarding >= 2,
    });
    checks.push({
      scenario: "2",
      target: `${path.path}: 0 reach the node`,
      measured: String(path.reachedNode),
      met: path.reachedNode === 0,
    });
  }
  for (const run of results.floods.filter(
    (entry) => entry.target === "Node Shield",
  )) {
    const label = `${run.variant}, ${run.attacker}`;
    checks.push({
      scenario: "3",
      target: `${label}: legitimate success ≥ 99.9 %, p99 ≤ 50 ms`,
      measured: `${fixed(run.legitimate.successRate * 100, 1)} %, ${fixed(run.legitimate.p99Ms, 1)} ms`,
      met: run.legitimate.successRate >= 0.999 && run.legitimate.p99Ms <= 50,
    });
    checks.push({
      scenario: "3",
      target: `${label}: node gets no more than the limits allow`,
      measured: `${run.attack.reachedNode} of ${run.attack.allowedByLimits} allowed`,
      met: run.attack.reachedNode <= run.attack.allowedByLimits,
    });
    const growth = rssGrowthAfterStart(run);
    checks.push({
      scenario: "3",
      target: `${label}: RSS flat after the first seconds (peak rises ≤ 16 MB)`,
      measured: megabytes(growth),
      met: growth <= 16 * MB,
    });
  }
  const many = results.manyClients;
  const growth = many.rssAfterCollectionBytes - many.rssBeforeBytes;
  checks.push({
    scenario: "4",
    target: "RSS growth ≤ 64 MB (after a full garbage collection)",
    measured: `${megabytes(growth)} (${megabytes(many.rssAfterBytes - many.rssBeforeBytes)} before the collection)`,
    met: growth <= 64 * MB,
  });
  const unbounded = Object.entries(many.tables).filter(
    ([, table]) => table.size > table.max,
  );
  checks.push({
    scenario: "4",
    target: "every table within its cap",
    measured:
      unbounded.length === 0
        ? "all within"
        : unbounded.map(([name]) => name).join(", "),
    met: unbounded.length === 0,
  });
  checks.push({
    scenario: "5",
    target: "scrypt within 10 % of sha256",
    measured: `${fixed(results.password.ratio)} ×`,
    met: results.password.ratio >= 0.9,
  });
  return checks;
}

/**
 * Returns how much the RSS peak of the second half of a flood (after its first two
 * seconds) rises over the peak of the first half. Garbage collection makes
 * RSS a sawtooth, so flat means that the peaks stop rising.
 */
function rssGrowthAfterStart(run: FloodRun): number {
  const settled = run.rss.filter((sample) => sample.timeMs >= 2000);
  const middle = Math.floor(settled.length / 2);
  const peak = (samples: typeof settled) =>
    Math.max(0, ...samples.map((sample) => sample.rssBytes));
  return settled.length < 2
    ? 0
    : peak(settled.slice(middle)) - peak(settled.slice(0, middle));
}

/** Renders the results as Markdown. */
export function renderReport(
  results: BenchResults,
  checks: TargetCheck[],
): string {
  return [
    renderHeader(results),
    "## Targets",
    "",
    table(
      ["Scenario", "Target", "Measured", "Met"],
      checks.map((check) => [
        check.scenario,
        check.target,
        check.measured,
        check.met ? "yes" : "**no**",
      ]),
    ),
    renderThroughput(results),
    renderRejections(results),
    renderFloods(results),
    renderManyClients(results),
    renderPassword(results),
  ].join("\n");
}

function renderHeader(results: BenchResults): string {
  const machine = Object.entries(results.machine).map(
    ([key, value]) => `- ${key}: ${value}`,
  );
  return [
    `Measured on ${results.date} with \`npm run bench\`. Every figure is the median of ${results.timing.rounds} runs, with the targets run in turn within each round, and every ratio is to a baseline measured in the same run.`,
    "",
    "Machine:",
    "",
    ...machine,
    "",
    "The engine process ran with the Node options the desktop app gives it (`main/proxy/engine-options.ts`: `--max-semi-space-size=4`).",
    "",
    "Every process ran on this machine over loopback: the test IOTA node (`test/support/iota-node.ts`) in a process of its own, Node Shield's engine in another (`test/bench/engine-process.ts`), nginx with its own workers, and the load generator (`test/bench/blaster.ts`), which sends from 127.0.0.2 and up so that Node Shield sees remote clients, as it would behind a router.",
    "",
  ].join("\n");
}

function renderThroughput(results: BenchResults): string {
  const { targets, wrkCrossCheck, commands, settings } = results.throughput;
  const direct = targets[0];
  const nginx = targets[1];
  const rows = targets.map((entry) => [
    entry.target,
    whole(entry.requestsPerSecond),
    direct ? fixed(entry.requestsPerSecond / direct.requestsPerSecond) : "",
    nginx ? fixed(entry.requestsPerSecond / nginx.requestsPerSecond) : "",
    fixed(entry.p50Ms),
    fixed(entry.p99Ms),
    fixed(entry.p50SingleMs, 3),
    String(entry.non200),
  ]);
  const cross = wrkCrossCheck.map((entry) => [
    entry.target,
    entry.runs.map((run) => whole(run.requestsPerSecond)).join(", "),
    entry.runs.map((run) => fixed(run.p50Ms)).join(", "),
  ]);
  return [
    "",
    "## 1. Throughput and latency",
    "",
    "`POST /` with `getNodeInfo` and a valid `Authorization` header, 50 keep-alive connections.",
    "",
    table(
      [
        "Target",
        "Requests/s",
        "× direct",
        "× nginx",
        "p50 ms",
        "p99 ms",
        "p50 ms, 1 connection",
        "non-200",
      ],
      rows,
    ),
    "",
    "Cross-check with wrk from 127.0.0.1 (to Node Shield localhost is exempt from the rate limit and always whitelisted, so this path skips those two checks):",
    "",
    table(["Target", "Requests/s", "p50 ms"], cross),
    "",
    "Node Shield settings:",
    "",
    "```json",
    JSON.stringify(settings, null, 2),
    "```",
    "",
    ...commands.map((command) => `- ${command}`),
  ].join("\n");
}

function renderRejections(results: BenchResults): string {
  const { paths, forwardingRequestsPerSecond } = results.rejections;
  return [
    "",
    "## 2. Cost of a rejection",
    "",
    `Forwarding rate in the same run: ${whole(forwardingRequestsPerSecond)} requests/s (50 connections from 127.0.0.2, valid credentials).`,
    "",
    table(
      [
        "Rejected by",
        "Status",
        "Requests/s",
        "× forwarding",
        "Answered with that status",
        "Reached the node",
      ],
      paths.map((path) => [
        path.path,
        String(path.status),
        whole(path.requestsPerSecond),
        fixed(path.ratioToForwarding),
        whole(path.answeredWithStatus),
        String(path.reachedNode),
      ]),
    ),
  ].join("\n");
}

function renderFloods(results: BenchResults): string {
  const rows = results.floods.map((run) => {
    const first = run.rss.find((sample) => sample.timeMs >= 1000) ?? run.rss[0];
    const last = run.rss.at(-1);
    return [
      run.variant,
      run.attacker,
      run.target,
      `${fixed(run.legitimate.successRate * 100, 1)} % (${run.legitimate.succeeded}/${run.legitimate.sent})`,
      fixed(run.legitimate.p99Ms, 1),
      whole(run.attack.sent),
      whole(run.attack.reachedNode),
      whole(run.attack.allowedByLimits),
      first && last
        ? `${megabytes(first.rssBytes)} → ${megabytes(Math.max(...run.rss.map((sample) => sample.rssBytes)))} → ${megabytes(last.rssBytes)}`
        : "",
    ];
  });
  return [
    "",
    "## 3. Flood survival",
    "",
    `An attacker with 200 connections sends \`getNodeInfo\` as fast as it can for ${results.timing.floodSeconds} s, from 127.3.0.1 or from 1,000 addresses (127.4.0.1 and up, each connection moving to the next address after 20 requests). A legitimate client sends 5 requests/s with valid credentials from 127.0.0.2, which is whitelisted. Rate limit on both proxies: 5 requests/s, burst 5. "Allowed by limits" is burst + rate × duration for every address the attacker used, when its requests are valid, and 0 otherwise. RSS is the engine process's, or the sum of nginx's master and workers.`,
    "",
    table(
      [
        "Setup",
        "Attacker",
        "Proxy",
        "Legitimate success",
        "Legitimate p99 ms",
        "Attack requests",
        "Reached the node",
        "Allowed by limits",
        "RSS at 1 s → peak → end",
      ],
      rows,
    ),
  ].join("\n");
}

function renderManyClients(results: BenchResults): string {
  const many = results.manyClients;
  return [
    "",
    "## 4. Many clients",
    "",
    `${whole(many.clients)} distinct addresses (127.8.0.1 and up) each open a connection and send one request with a wrong password (whitelist off, authentication on), ${whole(many.completed)} answered in ${fixed(many.durationMs / 1000, 1)} s: ${JSON.stringify(many.statuses)}.`,
    "",
    table(
      ["", "RSS", "Growth", "Live heap"],
      [
        [
          "before",
          megabytes(many.rssBeforeBytes),
          "",
          megabytes(many.heapUsedBeforeBytes),
        ],
        [
          "after, as measured",
          megabytes(many.rssAfterBytes),
          megabytes(many.rssAfterBytes - many.rssBeforeBytes),
          "",
        ],
        [
          "after a full garbage collection",
          megabytes(many.rssAfterCollectionBytes),
          megabytes(many.rssAfterCollectionBytes - many.rssBeforeBytes),
          megabytes(many.heapUsedAfterBytes),
        ],
      ],
    ),
    "",
    "The engine ran with `--expose-gc` here, so that the benchmark could ask for a full collection before it measured. The live heap is the memory the engine keeps; the RSS before the collection also holds garbage that V8 had not yet needed to collect.",
    "",
    table(
      ["Table", "Entries", "Cap"],
      Object.entries(many.tables).map(([name, value]) => [
        name,
        whole(value.size),
        whole(value.max),
      ]),
    ),
  ].join("\n");
}

function renderPassword(results: BenchResults): string {
  const { sha256, scrypt, ratio } = results.password;
  return [
    "",
    "## 5. Password scheme",
    "",
    "Valid requests with 50 connections from 127.0.0.2. The scrypt hash is computed once per `Authorization` header and then cached.",
    "",
    table(
      ["Scheme", "Requests/s", "× sha256"],
      [
        ["sha256 (Hornet)", whole(sha256), "1.00"],
        ["scrypt (N=16384, r=8, p=1)", whole(scrypt), fixed(ratio)],
      ],
    ),
    "",
  ].join("\n");
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}
