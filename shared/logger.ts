/**
 * The one logger of Node Shield: leveled, structured (pino) and with a
 * module label on every line. Credentials are redacted by path as a second
 * line of defence: no code should pass them to the logger in the first place.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

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
