/**
 * Reads the settings file of the headless command, with errors that name
 * what is wrong and where.
 */
import { readFile } from "node:fs/promises";

import { parseSettings, type Settings } from "../../../shared/settings.js";

export type SettingsFileResult =
  { ok: true; settings: Settings } | { ok: false; message: string };

/** Reads and validates a settings file. Never throws. */
export async function readSettingsFile(
  path: string,
): Promise<SettingsFileResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "the file does not exist"
        : code === "EACCES"
          ? "permission denied"
          : String(error);
    return {
      ok: false,
      message: `Cannot read the settings file ${path}: ${reason}. Check the path, or leave out --config to run on the defaults.`,
    };
  }

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `The settings file ${path} is not valid JSON: ${detail}${locate(text, detail)}. Fix the syntax and start again.`,
    };
  }

  const parsed = parseSettings(document);
  if (!parsed.ok)
    return {
      ok: false,
      message: `The settings file ${path} is invalid:\n${parsed.message}`,
    };
  return parsed;
}

/** Turns the "position N" of a JSON.parse error into a line and column. */
function locate(text: string, detail: string): string {
  const match = /position (\d+)/.exec(detail);
  if (!match) return "";
  const before = text.slice(0, Number(match[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return ` (line ${line}, column ${column})`;
}
