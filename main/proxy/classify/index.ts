/**
 * Request classification: what a request is, what it costs in rate-limit
 * tokens and whether a client outside the whitelist may run it.
 *
 * Each API dialect is a profile with a strict parser. Today there are two:
 * the legacy IOTA API (`POST /` with a JSON command) and REST routes
 * (Chrysalis `/api/v1/…`, `/health`, `/mqtt`). A new dialect such as
 * JSON-RPC is another profile here, not a change to the pipeline.
 */
import type { Settings } from "../../../shared/settings.js";
import { parseLegacyCommand } from "./legacy-api.js";
import { compileRoutePatterns, parseRequestPath } from "./rest-api.js";

/** Classification of a request once its body has been read. */
export interface Classification {
  api: "legacy" | "rest";
  /** The legacy command, or the decoded request path. */
  target: string;
  /** Rate-limit tokens the request costs. */
  cost: number;
  /** Whether a client that is neither localhost nor whitelisted may send it. */
  remoteAllowed: boolean;
}

export type ClassifyResult =
  { ok: true; value: Classification } | { ok: false; reason: string };

/**
 * Token costs of legacy commands that make the node work harder than a
 * lookup. Every other command costs 1.
 */
export const LEGACY_COMMAND_COSTS: Readonly<Record<string, number>> = {
  attachToTangle: 5,
  getTransactionsToApprove: 3,
  findTransactions: 2,
  getBalances: 2,
  getInclusionStates: 2,
  checkConsistency: 2,
  wereAddressesSpentFrom: 2,
  getTrytes: 2,
  storeTransactions: 2,
  broadcastTransactions: 2,
};

/** Submitting a message may make the node do proof of work. */
const REST_SUBMIT_COST = 5;

/** Classifies requests under one settings document. */
export type Classifier = (
  method: string,
  target: string,
  body: Uint8Array,
) => ClassifyResult;

/** Builds the classifier for a settings document. */
export function createClassifier(settings: Settings): Classifier {
  const allowedCommands = new Set(settings.commands.allowedRemote);
  const routeAllowed = compileRoutePatterns(settings.routes.allowedRemote);

  return (method, target, body) => {
    const path = parseRequestPath(target);
    if (!path.ok) return path;

    if (method === "POST" && path.value.path === "/") {
      const parsed = parseLegacyCommand(body);
      if (!parsed.ok) return parsed;
      const { command } = parsed;
      return {
        ok: true,
        value: {
          api: "legacy",
          target: command,
          cost: LEGACY_COMMAND_COSTS[command] ?? 1,
          remoteAllowed: allowedCommands.has(command),
        },
      };
    }

    const submits = method === "POST" && path.value.path === "/api/v1/messages";
    return {
      ok: true,
      value: {
        api: "rest",
        target: path.value.path,
        cost: submits ? REST_SUBMIT_COST : 1,
        remoteAllowed: routeAllowed(path.value.path),
      },
    };
  };
}
