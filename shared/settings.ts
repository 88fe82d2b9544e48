/**
 * The settings document: one schema for the headless `--config` file, the
 * desktop app's store and every settings change sent to a running engine.
 *
 * Field names follow Hornet where Hornet has one, so that a Hornet
 * `httpAPI.basicAuth` block pastes in unchanged. Missing fields take the
 * defaults below, and unknown fields are an error, because a misspelt field
 * that is silently ignored is a protection the owner believes is on.
 */
import * as z from "zod";

import { parseAddress, parseAddressRange } from "./address.js";
import {
  DEFAULT_ALLOWED_REMOTE_COMMANDS,
  DEFAULT_ALLOWED_REMOTE_ROUTES,
} from "./iota-api.js";
import { formatIssues, type SettingsIssue } from "./settings-errors.js";

/** The version of the settings document that this code reads and writes. */
export const SETTINGS_SCHEMA_VERSION = 1;

const HEX_HASH = /^[0-9a-fA-F]{64}$/;
const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const ROUTE_PATTERN = /^\/[A-Za-z0-9._~!$&'()+,;=:@/-]*\*?$/;
// Control characters would let a username forge log lines or headers, and a
// colon cannot be sent in Basic credentials (RFC 7617, section 2).
const USERNAME = /^[^\u0000-\u001f\u007f:]*$/;

const seconds = (fallback: number, max: number) =>
  z.number().positive().max(max).default(fallback);
const count = (fallback: number, min: number, max: number) =>
  z.int().min(min).max(max).default(fallback);

const listenSchema = z
  .strictObject({
    host: z
      .string()
      .refine((host) => parseAddress(host).ok, {
        error: "is not an IP address",
        params: {
          hint: "Use 0.0.0.0 to accept connections on every IPv4 interface, :: for IPv6 too, or 127.0.0.1 for this machine only.",
        },
      })
      .default("0.0.0.0"),
    port: count(14266, 0, 65535),
  })
  .prefault({});

const upstreamSchema = z
  .strictObject({
    url: z
      .string()
      .superRefine(checkUpstreamUrl)
      .default("http://127.0.0.1:14265"),
    timeoutSeconds: seconds(60, 3600),
  })
  .prefault({});

const basicAuthSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    username: z
      .string()
      .max(128)
      .regex(USERNAME, {
        error: "must not contain a colon or control characters",
      })
      .default(""),
    passwordHash: z
      .string()
      .refine((hash) => hash === "" || HEX_HASH.test(hash), {
        error: "must be 64 hexadecimal digits",
        params: {
          hint: "Paste the hash from Hornet's basicAuth block or from `node-shield hash-password`.",
        },
      })
      .default(""),
    passwordSalt: z.string().max(256).default(""),
    scheme: z.enum(["sha256", "scrypt"]).default("sha256"),
  })
  .prefault({});

const whitelistSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    addresses: z
      .array(z.string().superRefine(checkAddressEntry))
      .max(1024)
      .default(() => []),
  })
  .prefault({});

const rateLimitSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    requestsPerSecond: z.number().positive().max(100_000).default(5),
    burst: count(5, 1, 100_000),
  })
  .prefault({});

const lockoutSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    maxFailures: count(10, 1, 10_000),
    windowSeconds: seconds(60, 86_400),
    durationSeconds: seconds(900, 86_400 * 7),
  })
  .prefault({});

const commandsSchema = z
  .strictObject({
    allowedRemote: z
      .array(
        z.string().regex(COMMAND_NAME, {
          error: "must be a command name such as getNodeInfo",
        }),
      )
      .max(256)
      .default(() => [...DEFAULT_ALLOWED_REMOTE_COMMANDS]),
  })
  .prefault({});

const routesSchema = z
  .strictObject({
    allowedRemote: z
      .array(
        z.string().regex(ROUTE_PATTERN, {
          error: "must be a path such as /api/v1/info, optionally ending in *",
        }),
      )
      .max(256)
      .default(() => [...DEFAULT_ALLOWED_REMOTE_ROUTES]),
  })
  .prefault({});

const limitsSchema = z
  .strictObject({
    maxBodyBytes: count(1_000_000, 1, 100_000_000),
    maxHeaderBytes: count(16_384, 1024, 65_536),
    headersTimeoutSeconds: seconds(10, 600),
    requestTimeoutSeconds: seconds(30, 3600),
    keepAliveTimeoutSeconds: seconds(5, 600),
    maxConnections: count(1024, 1, 100_000),
    maxConnectionsPerClient: count(64, 1, 100_000),
    maxUpstreamRequests: count(64, 1, 10_000),
  })
  .prefault({});

/** The schema of the whole settings document. */
export const settingsSchema = z
  .strictObject({
    schemaVersion: z
      .int()
      .superRefine(checkSchemaVersion)
      .default(SETTINGS_SCHEMA_VERSION),
    listen: listenSchema,
    upstream: upstreamSchema,
    protection: z
      .strictObject({ enabled: z.boolean().default(true) })
      .prefault({}),
    basicAuth: basicAuthSchema,
    whitelist: whitelistSchema,
    rateLimit: rateLimitSchema,
    lockout: lockoutSchema,
    commands: commandsSchema,
    routes: routesSchema,
    limits: limitsSchema,
  })
  .superRefine(checkCrossFieldRules);

/** A complete, validated settings document. */
export type Settings = z.output<typeof settingsSchema>;

/** Input of the schema: a settings file or a settings change, where every field is optional. */
export type SettingsInput = z.input<typeof settingsSchema>;

export type SettingsResult =
  | { ok: true; settings: Settings }
  | { ok: false; issues: SettingsIssue[]; message: string };

/**
 * Validates a settings document and fills in the defaults. An invalid
 * document is returned as every issue found, each naming its field, rather
 * than thrown.
 */
export function parseSettings(input: unknown): SettingsResult {
  const result = settingsSchema.safeParse(input);
  if (result.success) return { ok: true, settings: result.data };

  const issues = formatIssues(result.error.issues, input, defaultSettings());
  return {
    ok: false,
    issues,
    message: issues.map((issue) => issue.message).join("\n"),
  };
}

/** Returns a fresh copy of the default settings. */
export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

function checkSchemaVersion(version: number, context: z.RefinementCtx): void {
  if (version > SETTINGS_SCHEMA_VERSION) {
    context.addIssue({
      code: "custom",
      message: `was written by a newer version of Node Shield, which this version (settings version ${SETTINGS_SCHEMA_VERSION}) cannot read`,
      params: {
        hint: "Update Node Shield, or start from a copy of the defaults.",
      },
    });
  } else if (version < 1) {
    context.addIssue({
      code: "custom",
      message: "is not a settings version",
      params: {
        hint: `Set schemaVersion to ${SETTINGS_SCHEMA_VERSION} or remove it.`,
      },
    });
  }
}

function checkAddressEntry(entry: string, context: z.RefinementCtx): void {
  if (entry !== entry.trim()) {
    context.addIssue({
      code: "custom",
      message: "has spaces around it",
      params: { hint: "Remove the spaces before and after the address." },
    });
    return;
  }
  const parsed = parseAddressRange(entry);
  if (!parsed.ok) {
    context.addIssue({
      code: "custom",
      message: parsed.reason,
      params: { hint: parsed.hint },
    });
  }
}

function checkUpstreamUrl(text: string, context: z.RefinementCtx): void {
  const problem = upstreamUrlProblem(text);
  if (problem) {
    context.addIssue({
      code: "custom",
      message: problem.reason,
      params: { hint: problem.hint },
    });
  }
}

function upstreamUrlProblem(
  text: string,
): { reason: string; hint: string } | undefined {
  const hint =
    "Write the node's API address, for example http://127.0.0.1:14265.";
  if (!URL.canParse(text)) return { reason: "is not a URL", hint };

  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      reason: `uses ${url.protocol} but must use http: or https:`,
      hint,
    };
  }
  if (url.username !== "" || url.password !== "") {
    return {
      reason: "must not contain a username or password",
      hint: "Remove the credentials from the URL.",
    };
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    return {
      reason: "must not have a path, query or fragment",
      hint: `Use only the scheme, host and port, for example ${url.origin}.`,
    };
  }
  return undefined;
}

function checkCrossFieldRules(
  settings: Settings,
  context: z.RefinementCtx,
): void {
  const auth = settings.basicAuth;
  if (auth.enabled && auth.username === "") {
    context.addIssue({
      code: "custom",
      path: ["basicAuth", "username"],
      message: "is required when authentication is enabled",
      params: { hint: "Set a username, or set basicAuth.enabled to false." },
    });
  }
  if (auth.enabled && auth.passwordHash === "") {
    context.addIssue({
      code: "custom",
      path: ["basicAuth", "passwordHash"],
      message: "is required when authentication is enabled",
      params: {
        hint: "Run `node-shield hash-password` and paste the block it prints.",
      },
    });
  }
  if (
    auth.scheme === "scrypt" &&
    auth.passwordHash !== "" &&
    auth.passwordSalt.length < 16
  ) {
    context.addIssue({
      code: "custom",
      path: ["basicAuth", "passwordSalt"],
      message: "must be at least 16 characters for the scrypt scheme",
      params: {
        hint: "Run `node-shield hash-password` to get a fresh salt and hash.",
      },
    });
  }
  if (
    settings.limits.headersTimeoutSeconds >
    settings.limits.requestTimeoutSeconds
  ) {
    context.addIssue({
      code: "custom",
      path: ["limits", "headersTimeoutSeconds"],
      message: `must not be longer than limits.requestTimeoutSeconds (${settings.limits.requestTimeoutSeconds})`,
      params: {
        hint: "The headers are part of the request: lower headersTimeoutSeconds or raise requestTimeoutSeconds.",
      },
    });
  }
  if (pointsAtItself(settings)) {
    context.addIssue({
      code: "custom",
      path: ["listen", "port"],
      message: `is also the port of upstream.url (${settings.upstream.url}), so Node Shield would forward to itself`,
      params: {
        hint: "Listen on another port, such as the default 14266, and keep upstream.url on the node's API.",
      },
    });
  }
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::"]);

function pointsAtItself(settings: Settings): boolean {
  if (!URL.canParse(settings.upstream.url)) return false;
  const url = new URL(settings.upstream.url);
  const defaultPort = url.protocol === "https:" ? 443 : 80;
  const port = url.port === "" ? defaultPort : Number(url.port);
  if (port !== settings.listen.port || settings.listen.port === 0) return false;

  const listenHost = settings.listen.host;
  const upstreamHost = url.hostname;
  if (WILDCARD_HOSTS.has(listenHost)) return LOOPBACK_HOSTS.has(upstreamHost);
  const bracketed = listenHost.includes(":") ? `[${listenHost}]` : listenHost;
  return upstreamHost === bracketed;
}
