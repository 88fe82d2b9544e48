/**
 * Strict reading of legacy IOTA API bodies (`POST /` with
 * `{"command": "…", …}`).
 *
 * The node decodes the same bytes with Go's encoding/json, which matches
 * object keys to struct fields without regard to case and keeps the last of
 * duplicate keys. Any body that two JSON readers could understand
 * differently is therefore rejected: duplicate keys, keys that differ only
 * in case, non-ASCII keys, escapes in the command, non-string commands.
 */

export type CommandParse =
  { ok: true; command: string } | { ok: false; reason: string };

/** Maximum nesting of arrays and objects. Legacy API bodies nest two levels. */
export const MAX_JSON_DEPTH = 32;

const COMMAND_VALUE = /^"[A-Za-z][A-Za-z0-9]{0,63}"$/;
const ASCII_KEY = /^"[\u0020-\u007e]*"$/;
// ignoreBOM keeps a leading U+FEFF in the text, where JSON.parse rejects
// it, instead of dropping it: the node parses the bytes with the mark.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Parses a legacy API body and returns its command. */
export function parseLegacyCommand(body: Uint8Array): CommandParse {
  if (body.length === 0)
    return fail("the request body is empty, send a JSON object with a command");
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return fail("the request body is not valid UTF-8");
  }

  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    return fail(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("the request body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("the request body must be a JSON object");
  }
  return findCommand(text);
}

function findCommand(text: string): CommandParse {
  const seen = new Set<string>();
  let command: string | undefined;

  for (const member of topLevelMembers(text)) {
    if (!ASCII_KEY.test(member.key))
      return fail("the request body has a key with non-ASCII characters");
    const key = (JSON.parse(member.key) as string).toLowerCase();
    if (seen.has(key))
      return fail(
        `the request body has the key "${key}" more than once (keys are compared without case)`,
      );
    seen.add(key);
    if (key !== "command") continue;

    if (member.key !== '"command"')
      return fail('the command key must be written exactly as "command"');
    if (!COMMAND_VALUE.test(member.value)) {
      return fail(
        "command must be a plain string of letters and digits, such as getNodeInfo",
      );
    }
    command = member.value.slice(1, -1);
  }
  return command === undefined
    ? fail("the request body has no command")
    : { ok: true, command };
}

interface Member {
  /** Raw JSON text of the key, quotes included. */
  key: string;
  /** Raw JSON text of the value. */
  value: string;
}

/** Yields the raw members of the top-level object of valid JSON text. */
function* topLevelMembers(text: string): Generator<Member> {
  let index = skipSpace(text, text.indexOf("{") + 1);
  while (index < text.length && text[index] !== "}") {
    const keyEnd = endOfString(text, index);
    const key = text.slice(index, keyEnd);
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const valueEnd = endOfValue(text, valueStart);
    yield { key, value: text.slice(valueStart, valueEnd) };

    index = skipSpace(text, valueEnd);
    if (text[index] === ",") index = skipSpace(text, index + 1);
  }
}

function skipSpace(text: string, index: number): number {
  while (index < text.length && " \t\n\r".includes(text[index] ?? "")) index++;
  return index;
}

/** Returns the index just after the string that starts at `start`. */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') {
    index += text[index] === "\\" ? 2 : 1;
  }
  return index + 1;
}

function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first !== "{" && first !== "[") {
    let index = start;
    while (index < text.length && !",}] \t\n\r".includes(text[index] ?? ""))
      index++;
    return index;
  }

  let depth = 0;
  let index = start;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index = endOfString(text, index);
      continue;
    }
    if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") depth--;
    index++;
    if (depth === 0) return index;
  }
  return index;
}

/** Returns the deepest nesting of arrays and objects, ignoring brackets inside strings. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      index = endOfString(text, index) - 1;
    } else if (char === "{" || char === "[") {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === "}" || char === "]") {
      depth--;
    }
  }
  return deepest;
}

function fail(reason: string): CommandParse {
  return { ok: false, reason };
}
