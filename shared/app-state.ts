/**
 * The state that the desktop app's main process sends to the dashboard and
 * the tray: the settings without secrets, the engine's state, the node's
 * status and the notices for the owner.
 */
import type { Settings } from "./settings.js";
import type { SettingsIssue } from "./settings-errors.js";

/** Settings as sent to the dashboard, without the password hash and salt. */
export type PublicSettings = Omit<Settings, "basicAuth"> & {
  basicAuth: {
    enabled: boolean;
    username: string;
    scheme: Settings["basicAuth"]["scheme"];
    /** Whether a password is stored. */
    passwordSet: boolean;
  };
};

/** Phases of the engine process, as tracked by the supervisor. */
export type EnginePhase =
  "starting" | "running" | "restarting" | "failed" | "stopped";

export interface EngineStatus {
  phase: EnginePhase;
  /** `http://host:port` while the engine listens. */
  listenUrl?: string;
  /** Reason the engine is not running, in the failed and restarting phases. */
  error?: string;
  /** Crashes counted towards the give-up limit. */
  crashes: number;
  /** Milliseconds since the epoch of the next restart, while restarting. */
  restartAt?: number;
}

/** Result of the engine process's own check of the node. */
export interface NodeStatus {
  /** null until the first check has finished. */
  reachable: boolean | null;
  name?: string;
  version?: string;
  /** API that responded: the REST info route or the legacy getNodeInfo command. */
  api?: "rest" | "legacy";
  error?: string;
  /** Milliseconds since the epoch. */
  checkedAt?: number;
}

/** A message for the owner that stays until it is dismissed. */
export interface Notice {
  id: string;
  level: "info" | "warning" | "error";
  message: string;
}

/** The state of the whole app, sent to the dashboard after every change. */
export interface AppState {
  settings: PublicSettings;
  engine: EngineStatus;
  node: NodeStatus;
  notices: Notice[];
  openAtLogin: boolean;
}

/** The three states of the tray icon. */
export type TrayStatus = "protected" | "unprotected" | "failing";

/** The result of a change requested from the dashboard or the tray. */
export type ChangeResult =
  | { ok: true; state: AppState }
  | { ok: false; message: string; issues: SettingsIssue[] };

/** Strips the password hash and salt from settings. */
export function publicSettings(settings: Settings): PublicSettings {
  const { passwordHash, passwordSalt: _salt, ...auth } = settings.basicAuth;
  return {
    ...settings,
    basicAuth: {
      enabled: auth.enabled,
      username: auth.username,
      scheme: auth.scheme,
      passwordSet: passwordHash !== "",
    },
  };
}

/**
 * Returns the tray state: failing while the engine does not serve or the
 * node is unreachable, unprotected when the master switch is off.
 */
export function trayStatus(state: AppState): TrayStatus {
  if (state.engine.phase !== "running" || state.node.reachable === false)
    return "failing";
  return state.settings.protection.enabled ? "protected" : "unprotected";
}

/** Returns a one-line description of the state, for the tray and the window. */
export function describeStatus(state: AppState): string {
  const { engine, node } = state;
  switch (engine.phase) {
    case "starting":
      return "Starting the engine";
    case "restarting":
      return "The engine stopped unexpectedly and is restarting";
    case "failed":
      return "The engine is stopped";
    case "stopped":
      return "Stopped";
    case "running":
      break;
  }
  if (node.reachable === false) return "The node does not answer";
  return state.settings.protection.enabled
    ? "Protected"
    : "Unprotected: every request is forwarded";
}
