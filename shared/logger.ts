/**
 * The one logger of Node Shield: leveled, structured (pino) and with a
 * module label on every line. Credentials are redacted by path as a second
 * line of defence: no code should pass them to the logger in the first place.
 */
import { createRequire } from "node:module";

import pino, { type DestinationStream, type Logger } from "pino";
import type PinoPretty from "pino-pretty";

type PrettyFactory = typeof PinoPretty;

export type { Logger } from "pino";

export type LogFormat = "pretty" | "json";

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Destination of the log lines, standard output when omitted. */
  destination?: DestinationStream;
}

const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "password",
  "*.password",
  "passwordHash",
  "*.passwordHash",
  "passwordSalt",
  "*.passwordSalt",
];

/** Creates the root logger. Give each module a child: `logger.child({ module })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? "info",
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  if (options.destination) return pino(settings, options.destination);
  if (options.format === "pretty") {
    // Loaded only when asked for: the engine process logs JSON and has no
    // use for the formatter's dependencies in its memory.
    const pretty = createRequire(import.meta.url)(
      "pino-pretty",
    ) as PrettyFactory;
    return pino(
      settings,
      pretty({
        sync: true,
        colorize: process.stdout.isTTY,
        ignore: "module",
        messageFormat: "[{module}] {msg}",
      }),
    );
  }
  return pino(settings, pino.destination({ dest: 1, sync: true }));
}

/** Creates a logger that discards every line, for tests and tools that log nothing. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
