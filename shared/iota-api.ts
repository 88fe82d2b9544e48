/**
 * Facts about the IOTA node APIs that the settings defaults and the
 * dashboard need: the legacy commands and the REST routes that a client
 * outside the whitelist may use.
 */

/**
 * Commands of the legacy IOTA API (`POST /` with `{"command": …}`), as
 * served by IRI and Hornet 0.5.
 */
export const LEGACY_COMMANDS = [
  "addNeighbors",
  "attachToTangle",
  "broadcastTransactions",
  "checkConsistency",
  "findTransactions",
  "getBalances",
  "getInclusionStates",
  "getLedgerDiff",
  "getLedgerDiffExt",
  "getLedgerState",
  "getMilestones",
  "getNeighbors",
  "getNodeAPIConfiguration",
  "getNodeInfo",
  "getTipInfo",
  "getTips",
  "getTransactionsToApprove",
  "getTrytes",
  "getWhiteFlagConfirmation",
  "interruptAttachingToTangle",
  "pruneDatabase",
  "createSnapshotFile",
  "removeNeighbors",
  "storeTransactions",
  "wereAddressesSpentFrom",
] as const;

/**
 * Hornet 0.5's default `httpAPI.permitRemoteAccess` list. It leaves out
 * `attachToTangle` (proof of work can take a node offline) and every admin
 * command such as `addNeighbors` and `pruneDatabase`.
 */
export const DEFAULT_ALLOWED_REMOTE_COMMANDS: readonly string[] = [
  "getNodeInfo",
  "getBalances",
  "checkConsistency",
  "getTipInfo",
  "getTransactionsToApprove",
  "getInclusionStates",
  "getNodeAPIConfiguration",
  "wereAddressesSpentFrom",
  "broadcastTransactions",
  "findTransactions",
  "storeTransactions",
  "getTrytes",
];

/**
 * REST routes that a client outside the whitelist may use by default: the
 * read-only Chrysalis routes, message submission and the MQTT event API.
 * Peer management (`/api/v1/peers`), debug and plugin routes are left out.
 * A pattern ending in `*` matches every path that starts with the rest.
 */
export const DEFAULT_ALLOWED_REMOTE_ROUTES: readonly string[] = [
  "/health",
  "/mqtt",
  "/api/v1/info",
  "/api/v1/tips",
  "/api/v1/messages*",
  "/api/v1/transactions/*",
  "/api/v1/milestones/*",
  "/api/v1/outputs/*",
  "/api/v1/addresses/*",
  "/api/v1/receipts*",
  "/api/v1/treasury",
];
