/**
 * The one IPC contract between the dashboard and the main process: every
 * channel, the schema of its request and the type of its response, and the
 * events that main pushes to the dashboard.
 *
 * Main validates every request against its schema before a handler sees it,
 * because a compromised renderer can send anything that the types allow and
 * more.
 */
import * as z from "zod";

import type { AppState, ChangeResult } from "./app-state.js";
import type { StatsSnapshot } from "./stats.js";

const address = z.string().min(1).max(64);
const sectionPatch = z.record(z.string().max(64), z.unknown());

/**
 * A change to the settings: whole sections or some of their fields. The
 * password hash and salt are absent on purpose, because they change only
 * through `auth:set-password` and `auth:import-hornet`.
 */
export const settingsPatchSchema = z.strictObject({
  listen: sectionPatch.optional(),
  upstream: sectionPatch.optional(),
  protection: z.strictObject({ enabled: z.boolean() }).optional(),
  basicAuth: z
    .strictObject({
      enabled: z.boolean().optional(),
      username: z.string().max(256).optional(),
    })
    .optional(),
  whitelist: sectionPatch.optional(),
  rateLimit: sectionPatch.optional(),
  lockout: sectionPatch.optional(),
  commands: sectionPatch.optional(),
  routes: sectionPatch.optional(),
  limits: sectionPatch.optional(),
});

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** Request schemas of the channels that the dashboard invokes. */
export const requestSchemas = {
  "app:get-state": z.undefined(),
  "app:dismiss-notice": z.strictObject({ id: z.string().max(128) }),
  "app:set-open-at-login": z.strictObject({ enabled: z.boolean() }),
  "settings:update": settingsPatchSchema,
  "auth:set-password": z.strictObject({
    username: z.string().max(256),
    password: z.string().max(1024),
    confirmation: z.string().max(1024),
  }),
  "auth:import-hornet": z.strictObject({ text: z.string().max(16_384) }),
  "whitelist:add": z.strictObject({ entry: z.string().max(128) }),
  "whitelist:remove": z.strictObject({ entry: z.string().max(128) }),
  "whitelist:add-local-network": z.undefined(),
  "clients:block": z.strictObject({
    address,
    seconds: z
      .int()
      .min(1)
      .max(7 * 86_400),
  }),
  "clients:unblock": z.strictObject({ address }),
  "engine:restart": z.undefined(),
} as const;

/** Every channel that the dashboard invokes. */
export type InvokeChannel = keyof typeof requestSchemas;

/** The list of invoke channels, for registering and testing the handlers. */
export const INVOKE_CHANNELS = Object.keys(requestSchemas) as InvokeChannel[];

/** Request and response of each invoke channel. */
export interface InvokeContract {
  "app:get-state": { request: undefined; response: AppState };
  "app:dismiss-notice": { request: { id: string }; response: AppState };
  "app:set-open-at-login": {
    request: { enabled: boolean };
    response: ChangeResult;
  };
  "settings:update": { request: SettingsPatch; response: ChangeResult };
  "auth:set-password": {
    request: { username: string; password: string; confirmation: string };
    response: ChangeResult;
  };
  "auth:import-hornet": { request: { text: string }; response: ChangeResult };
  "whitelist:add": { request: { entry: string }; response: ChangeResult };
  "whitelist:remove": { request: { entry: string }; response: ChangeResult };
  "whitelist:add-local-network": {
    request: undefined;
    response: ChangeResult;
  };
  "clients:block": {
    request: { address: string; seconds: number };
    response: ChangeResult;
  };
  "clients:unblock": { request: { address: string }; response: ChangeResult };
  "engine:restart": { request: undefined; response: AppState };
}

// Compile-time checks: every channel has a contract entry, every entry has a
// schema, and each schema's output is the request type of its entry.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaRequests = {
  [C in InvokeChannel]: z.output<(typeof requestSchemas)[C]>;
};
type ContractRequests = {
  [C in keyof InvokeContract]: InvokeContract[C]["request"];
};
const contractMatchesSchemas: Same<SchemaRequests, ContractRequests> = true;
void contractMatchesSchemas;

export type InvokeRequest<C extends InvokeChannel> =
  InvokeContract[C]["request"];
export type InvokeResponse<C extends InvokeChannel> =
  InvokeContract[C]["response"];

/** Events that main sends to the dashboard, with their payloads. */
export interface EventContract {
  "app:state-changed": AppState;
  "stats:snapshot": StatsSnapshot;
}

export type EventChannel = keyof EventContract;

export const EVENT_CHANNELS: readonly EventChannel[] = [
  "app:state-changed",
  "stats:snapshot",
];
