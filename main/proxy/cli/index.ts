/**
 * The headless `node-shield` command: the engine without a desktop, for a
 * Raspberry Pi or a server.
 *
 * Exit status: 0 after a requested stop, 1 when the engine cannot run (the
 * port is in use, say), 2 for invalid arguments or settings.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import {
  createLogger,
  type LogFormat,
  type Logger,
} from "../../../shared/logger.js";
import { defaultSettings, type Settings } from "../../../shared/settings.js";
import { Engine } from "../engine.js";
import { hashPasswordCommand } from "./hash-password.js";
import { readSettingsFile } from "./settings-file.js";
import { formatStatsLine } from "./stats-line.js";

const HELP = `Usage:
  node-shield [--config FILE] [--stats-interval SECONDS] [--log-level LEVEL] [--log-format pretty|json]
  node-shield hash-password [--username NAME] [--legacy]

Runs Node Shield's secured reverse proxy in front of a node's HTTP API.

Options:
  --config FILE             settings file (JSON); without it, the defaults
  --stats-interval SECONDS  log a one-line stats summary every SECONDS seconds
                            (0.1 to 86400)
  --log-level LEVEL         trace, debug, info (default), warn, error, fatal
                            or silent
  --log-format FORMAT       pretty (default on a terminal) or json
  -h, --help                show this help
  -v, --version             show the version

hash-password reads a password (a prompt on a terminal, otherwise standard
input) and prints the basicAuth block to paste into the settings file:
  --username NAME           username of the block (default: admin)
  --legacy                  Hornet's SHA-256 scheme instead of scrypt

Signals: SIGINT and SIGTERM stop gracefully, SIGHUP reloads the settings file.`;

const HASH_PASSWORD_HELP = `Usage: node-shield hash-password [--username NAME] [--legacy]

Reads a password (a prompt on a terminal, otherwise standard input) and
prints a settings document with the basicAuth block and a fresh salt:
  --username NAME           username of the block (default: admin)
  --legacy                  Hornet's SHA-256 scheme instead of scrypt

To start a settings file with it: node-shield hash-password > settings.json`;

const STATS_INTERVAL_MIN = 0.1;
const STATS_INTERVAL_MAX = 86_400;

/** Reads --stats-interval: undefined when absent, null when invalid. */
function parseStatsInterval(
  text: string | undefined,
): number | null | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const seconds = Number(text);
  return seconds >= STATS_INTERVAL_MIN && seconds <= STATS_INTERVAL_MAX
    ? seconds
    : null;
}

const LOG_LEVELS = new Set([
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "fatal",
  "silent",
]);

/** Runs the command with the given arguments. Returns the exit status, or never returns while serving. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "hash-password") return hashPassword(argv.slice(1));

  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string" },
        "stats-interval": { type: "string" },
        "log-level": { type: "string", default: "info" },
        "log-format": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
      strict: true,
    }));
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return print(HELP);
  if (values.version) return print(version());

  const level = values["log-level"];
  if (!LOG_LEVELS.has(level))
    return usageError(
      `--log-level ${level} is not a level: use one of ${[...LOG_LEVELS].join(", ")}`,
    );
  const format =
    values["log-format"] ?? (process.stdout.isTTY ? "pretty" : "json");
  if (format !== "pretty" && format !== "json")
    return usageError(
      `--log-format ${format} is not a format: use pretty or json`,
    );
  const statsInterval = parseStatsInterval(values["stats-interval"]);
  if (statsInterval === null) {
    return usageError(
      `--stats-interval ${values["stats-interval"]} is not a number of seconds from ${STATS_INTERVAL_MIN} to ${STATS_INTERVAL_MAX}, such as 60`,
    );
  }

  const logger = createLogger({ level, format: format as LogFormat });
  return serve(values.config, statsInterval, logger);
}

async function serve(
  configPath: string | undefined,
  statsInterval: number | undefined,
  logger: Logger,
): Promise<number> {
  const log = logger.child({ module: "cli" });
  let settings: Settings;
  if (configPath === undefined) {
    settings = defaultSettings();
    log.info("no --config given, running on the default settings");
  } else {
    const read = await readSettingsFile(configPath);
    if (!read.ok) {
      process.stderr.write(`${read.message}\n`);
      return 2;
    }
    settings = read.settings;
  }

  const engine = new Engine(settings, { logger });
  const stopped = stopOnSignals(engine, log);
  // Without a handler, SIGHUP would end the process, and a service
  // manager's reload would stop the proxy.
  process.on("SIGHUP", () => {
    if (configPath === undefined) {
      log.warn(
        "SIGHUP received, but there is no settings file to reload: start with --config FILE",
      );
    } else {
      void reload(engine, configPath, log);
    }
  });
  try {
    await engine.start();
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }

  const timer =
    statsInterval === undefined
      ? undefined
      : setInterval(
          () => log.info(formatStatsLine(engine.snapshot())),
          statsInterval * 1000,
        );
  const status = await stopped;
  if (timer) clearInterval(timer);
  return status;
}

/**
 * Stops the engine gracefully on the first SIGINT or SIGTERM, at once on the
 * second. The handlers are in place before the engine starts, so a signal
 * that arrives while it binds still stops it cleanly.
 */
function stopOnSignals(engine: Engine, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn(`${signal} again, closing every connection now`);
        resolve(0);
        return;
      }
      stopping = true;
      log.info(`${signal} received, stopping`);
      void engine.stop(5000).then(() => resolve(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
}

async function reload(
  engine: Engine,
  path: string,
  log: Logger,
): Promise<void> {
  const read = await readSettingsFile(path, "send SIGHUP again");
  if (!read.ok) {
    log.error(
      { file: path },
      `${read.message}\nThe previous settings stay in force.`,
    );
    return;
  }
  const result = await engine.update(read.settings);
  if (!result.ok)
    log.error(
      { file: path },
      `${result.message}\nThe previous settings stay in force.`,
    );
  else log.info({ file: path }, "reloaded the settings file");
}

async function hashPassword(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        username: { type: "string", default: "admin" },
        legacy: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return print(HASH_PASSWORD_HELP);
  if (
    values.username === "" ||
    /[:\u0000-\u001f\u007f]/.test(values.username)
  ) {
    return usageError(
      "--username must not be empty or contain a colon or control characters",
    );
  }
  return hashPasswordCommand({
    username: values.username,
    legacy: values.legacy,
    input: process.stdin,
    output: process.stdout,
    errors: process.stderr,
  });
}

/** Reads the version from the nearest package.json above this file. */
function version(): string {
  let directory = new URL(".", import.meta.url);
  for (let depth = 0; depth < 5; depth++) {
    try {
      const manifest = JSON.parse(
        readFileSync(new URL("package.json", directory), "utf8"),
      ) as { name?: string; version?: string };
      if (manifest.name === "node-shield" && manifest.version)
        return manifest.version;
    } catch {
      // No package.json at this level; look one level up.
    }
    directory = new URL("..", directory);
  }
  return "unknown";
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

function usageError(message: string): number {
  process.stderr.write(`${message}\nRun node-shield --help for the usage.\n`);
  return 2;
}
