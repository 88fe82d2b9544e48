/**
 * A logger that keeps every line in memory, for tests that assert what was
 * logged and what never was.
 */
import { createLogger, type Logger } from "../../shared/logger.js";

export interface CapturedLog {
  logger: Logger;
  /** Raw JSON lines. */
  lines: string[];
  /** Parsed lines. */
  entries(): Record<string, unknown>[];
}

export function captureLogger(level = "debug"): CapturedLog {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(line) },
  });
  return {
    logger,
    lines,
    entries: () =>
      lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
