/**
 * Turns schema validation issues into messages for the owner: each names
 * the field, shows the value that was given and ends with the fix.
 */
import type * as z from "zod";

/** One problem in a settings document. */
export interface SettingsIssue {
  /** Dotted path of the field, such as `whitelist.addresses[2]`. */
  path: string;
  /** Full sentence: field, value, problem and fix. */
  message: string;
}

// The hash and salt are not echoed: together they allow an offline guess of
// the password.
const REDACTED_FIELDS = new Set([
  "basicAuth.passwordHash",
  "basicAuth.passwordSalt",
]);

/** Fix hints for fields whose valid values the bounds in the message do not fully give. */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  "listen.port": "Use a whole number from 0 to 65535. 0 picks a free port.",
  "rateLimit.requestsPerSecond":
    "Use a number above 0 and at most 100000, such as 5. Fractions such as 0.5 are allowed.",
  "rateLimit.burst": "Use a whole number from 1 to 100000, such as 5.",
  "lockout.maxFailures": "Use a whole number from 1 to 10000, such as 10.",
  "limits.maxBodyBytes":
    "Use a whole number of bytes from 1 to 100000000. Hornet's default is 1000000.",
};

/** Formats zod issues found in `input` as owner-facing settings issues. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  defaults: unknown,
): SettingsIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) =>
        unknownField([...issue.path, key], defaults),
      );
    }
    const path = formatPath(issue.path);
    const field = path === "" ? "The settings document" : path;
    const value = valueAt(input, issue.path);
    const subject =
      REDACTED_FIELDS.has(path) || value === undefined || value === ""
        ? field
        : `${field}: ${describeValue(value)}`;
    return [
      {
        path,
        message: `${subject} ${problem(issue)}. ${hint(issue, defaults)}`,
      },
    ];
  });
}

function unknownField(path: PropertyKey[], defaults: unknown): SettingsIssue {
  const text = formatPath(path);
  const name = String(path.at(-1));
  const suggestion = nearest(name, fieldsAt(defaults, path.slice(0, -1)));
  const guess = suggestion ? ` Did you mean "${suggestion}"?` : "";
  const password =
    name.toLowerCase() === "password"
      ? " The settings never hold a password itself: run `node-shield hash-password` for the basicAuth block."
      : "";
  return {
    path: text,
    message: `${text}: unknown field.${guess}${password} Remove it or check its spelling against the settings reference (docs/configuration.md).`,
  };
}

/** Names of the fields of the object at `path` in the default settings. */
function fieldsAt(defaults: unknown, path: readonly PropertyKey[]): string[] {
  const value = valueAt(defaults, path);
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? Object.keys(value)
    : [];
}

/** Returns the known name closest to `name` when it is a likely misspelling. */
function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined &&
    bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? best
    : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution =
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(
        Math.min(
          (previous[j] ?? 0) + 1,
          (current[j - 1] ?? 0) + 1,
          substitution,
        ),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Formats a path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function problem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `is not a valid ${issue.expected === "int" ? "whole number" : issue.expected}`;
    case "too_small":
      if (issue.origin === "array")
        return `has fewer than ${String(issue.minimum)} entries`;
      return issue.inclusive === false
        ? `must be above ${String(issue.minimum)}`
        : `is less than the minimum of ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "array" || issue.origin === "string"
        ? `is longer than the maximum of ${String(issue.maximum)} ${issue.origin === "array" ? "entries" : "characters"}`
        : `is more than the maximum of ${String(issue.maximum)}`;
    case "invalid_value":
      return `is not one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    default:
      return issue.message;
  }
}

function typeHint(
  issue: z.core.$ZodIssue & { code: "invalid_type" },
  defaults: unknown,
): string {
  switch (issue.expected) {
    case "int":
      return "Write a whole number without quotes.";
    case "number":
      return "Write a number without quotes.";
    case "boolean":
      return "Write true or false, without quotes.";
    case "array":
      return 'Write a list in square brackets, such as ["192.168.1.20"].';
    case "object": {
      const fields = fieldsAt(defaults, issue.path);
      return fields.length > 0
        ? `Write an object with fields such as ${fields
            .slice(0, 3)
            .map((field) => `"${field}"`)
            .join(", ")}, for example {"${fields[0]}": …}.`
        : "Write an object in curly braces.";
    }
    default:
      return `Write ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected} value.`;
  }
}

function hint(issue: z.core.$ZodIssue, defaults: unknown): string {
  const params = (issue as { params?: { hint?: unknown } }).params;
  if (typeof params?.hint === "string") return params.hint;
  const fieldHint = FIELD_HINTS[formatPath(issue.path)];
  if (fieldHint) return fieldHint;

  switch (issue.code) {
    case "invalid_type":
      return typeHint(issue, defaults);
    case "too_small":
      return issue.inclusive === false
        ? `Use a value above ${String(issue.minimum)}.`
        : `Use a value of at least ${String(issue.minimum)}.`;
    case "too_big":
      return `Use a value of at most ${String(issue.maximum)}.`;
    case "invalid_value":
      return "Use one of the listed values.";
    default:
      return "See the settings reference (docs/configuration.md).";
  }
}
