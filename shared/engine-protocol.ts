/**
 * Messages between the desktop app's main process and the engine process.
 * Settings and commands go down, the listen address, results, stats and the
 * node's status come up. Both sides check each message's type and fields
 * before acting on it, because a message that crosses a process boundary is
 * only data. Stats snapshots and node statuses are checked only to be
 * objects, because main only displays them in the tray and the dashboard.
 */
import * as z from "zod";

import type { NodeStatus } from "./app-state.js";
import type { Settings } from "./settings.js";
import type { StatsSnapshot } from "./stats.js";

/** Messages from main to the engine process. */
export type EngineCommand =
  | { type: "start"; settings: Settings }
  | { type: "update"; id: number; settings: Settings }
  | { type: "block"; address: string; seconds: number }
  | { type: "unblock"; address: string }
  | { type: "stop" };

/** Messages from the engine process to main. */
export type EngineEvent =
  | { type: "listening"; url: string; port: number }
  | { type: "start-failed"; message: string; code?: string }
  | {
      type: "update-result";
      id: number;
      ok: boolean;
      message?: string;
      url?: string;
    }
  | { type: "stats"; snapshot: StatsSnapshot }
  | { type: "node-status"; status: NodeStatus }
  | { type: "stopped" };

const engineCommandSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("start"), settings: z.unknown() }),
  z.object({
    type: z.literal("update"),
    id: z.int(),
    settings: z.unknown(),
  }),
  z.object({
    type: z.literal("block"),
    address: z.string(),
    seconds: z.number().positive(),
  }),
  z.object({ type: z.literal("unblock"), address: z.string() }),
  z.object({ type: z.literal("stop") }),
]);

const engineEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("listening"),
    url: z.string(),
    port: z.int(),
  }),
  z.object({
    type: z.literal("start-failed"),
    message: z.string(),
    code: z.string().optional(),
  }),
  z.object({
    type: z.literal("update-result"),
    id: z.int(),
    ok: z.boolean(),
    message: z.string().optional(),
    url: z.string().optional(),
  }),
  z.object({ type: z.literal("stats"), snapshot: z.looseObject({}) }),
  z.object({ type: z.literal("node-status"), status: z.looseObject({}) }),
  z.object({ type: z.literal("stopped") }),
]);

/** An engine command as received, with its settings not yet validated. */
export type ReceivedEngineCommand = z.infer<typeof engineCommandSchema>;

/**
 * Returns a message that arrived in the engine process as a command, or
 * undefined when it is not one. Settings inside it are still unchecked: the
 * engine validates them with `parseSettings`.
 */
export function readEngineCommand(
  message: unknown,
): ReceivedEngineCommand | undefined {
  const result = engineCommandSchema.safeParse(message);
  return result.success ? result.data : undefined;
}

/** Returns a message from the engine process as an event, or undefined when it is not one. */
export function readEngineEvent(message: unknown): EngineEvent | undefined {
  const result = engineEventSchema.safeParse(message);
  return result.success ? (result.data as EngineEvent) : undefined;
}
