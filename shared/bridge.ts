/**
 * The dashboard's `window.shield` bridge, built from two transport
 * functions. The preload passes Electron's IPC; the browser tests pass
 * functions that reach a main-process controller in the test. Both get the
 * same object, so the dashboard cannot tell them apart.
 */
import type { AppState, ChangeResult } from "./app-state.js";
import type {
  EventChannel,
  EventContract,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  SettingsPatch,
} from "./ipc.js";
import type { StatsSnapshot } from "./stats.js";

/** Sends a request on a channel and resolves with the response. */
export type Invoke = <C extends InvokeChannel>(
  channel: C,
  request: InvokeRequest<C>,
) => Promise<InvokeResponse<C>>;

/** Calls `listener` for every event on a channel until the returned function is called. */
export type Subscribe = <E extends EventChannel>(
  channel: E,
  listener: (payload: EventContract[E]) => void,
) => () => void;

/** Builds the bridge object. Each `on*` method returns an unsubscribe function. */
export function createBridge(invoke: Invoke, subscribe: Subscribe) {
  return {
    getState: (): Promise<AppState> => invoke("app:get-state", undefined),
    dismissNotice: (id: string): Promise<AppState> =>
      invoke("app:dismiss-notice", { id }),
    setOpenAtLogin: (enabled: boolean): Promise<ChangeResult> =>
      invoke("app:set-open-at-login", { enabled }),
    updateSettings: (patch: SettingsPatch): Promise<ChangeResult> =>
      invoke("settings:update", patch),
    setProtection: (enabled: boolean): Promise<ChangeResult> =>
      invoke("settings:update", { protection: { enabled } }),
    setPassword: (
      username: string,
      password: string,
      confirmation: string,
    ): Promise<ChangeResult> =>
      invoke("auth:set-password", { username, password, confirmation }),
    importHornetAuth: (text: string): Promise<ChangeResult> =>
      invoke("auth:import-hornet", { text }),
    addWhitelistEntry: (entry: string): Promise<ChangeResult> =>
      invoke("whitelist:add", { entry }),
    removeWhitelistEntry: (entry: string): Promise<ChangeResult> =>
      invoke("whitelist:remove", { entry }),
    addLocalNetwork: (): Promise<ChangeResult> =>
      invoke("whitelist:add-local-network", undefined),
    blockClient: (address: string, seconds: number): Promise<ChangeResult> =>
      invoke("clients:block", { address, seconds }),
    unblockClient: (address: string): Promise<ChangeResult> =>
      invoke("clients:unblock", { address }),
    restartEngine: (): Promise<AppState> => invoke("engine:restart", undefined),
    onState: (listener: (state: AppState) => void): (() => void) =>
      subscribe("app:state-changed", listener),
    onStats: (listener: (stats: StatsSnapshot) => void): (() => void) =>
      subscribe("stats:snapshot", listener),
  };
}

/** The type of `window.shield`, derived from the object the preload exposes. */
export type ShieldApi = ReturnType<typeof createBridge>;
