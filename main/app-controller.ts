/**
 * The desktop app's core, without Electron: it owns the settings, starts
 * the engine through the supervisor and carries out every change that the
 * dashboard or the tray requests. The IPC handlers, the tray and the
 * browser tests all drive this one object.
 */
import { EventEmitter } from "node:events";

import { parseAddress } from "../shared/address.js";
import {
  publicSettings,
  type AppState,
  type ChangeResult,
  type NodeStatus,
  type Notice,
} from "../shared/app-state.js";
import type { SettingsPatch } from "../shared/ipc.js";
import type { Logger } from "../shared/logger.js";
import { parseSettings, type Settings } from "../shared/settings.js";
import type { StatsSnapshot } from "../shared/stats.js";
import type { EngineSupervisor } from "./engine-supervisor.js";
import { createPasswordRecord } from "./proxy/passwords.js";
import {
  addWhitelistEntries,
  applyPatch,
  failure,
  importHornetBlock,
  removeWhitelistEntry,
  type Change,
} from "./settings-changes.js";
import type { SettingsStore } from "./settings-store.js";

/** Start-at-login switch of the operating system. */
export interface LoginItem {
  get(): boolean;
  set(enabled: boolean): void;
}

export interface ControllerOptions {
  store: Pick<SettingsStore, "save">;
  settings: Settings;
  supervisor: EngineSupervisor;
  loginItem: LoginItem;
  /** IPv4 ranges of this machine's networks. */
  localNetworks: () => string[];
  logger: Logger;
  /** Notices to show from the start, such as a recovered settings file. */
  notices?: Notice[];
}

export interface ControllerEvents {
  state: [AppState];
  stats: [StatsSnapshot];
}

/** Sections whose `enabled` switch the tray shows. */
export type ProtectionSection = "basicAuth" | "whitelist" | "rateLimit";

const MIN_PASSWORD_LENGTH = 8;

/** Holds the app's state and applies changes to the engine and the store. */
export class AppController extends EventEmitter<ControllerEvents> {
  readonly #options: ControllerOptions;
  readonly #log: Logger;
  #settings: Settings;
  #node: NodeStatus = { reachable: null };
  #notices: Notice[];
  #stats: StatsSnapshot | undefined;
  #changes: Promise<unknown> = Promise.resolve();

  constructor(options: ControllerOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ module: "controller" });
    this.#settings = options.settings;
    this.#notices = [...(options.notices ?? [])];
    const { supervisor } = options;
    supervisor.on("status", () => this.#emitState());
    supervisor.on("node", (status) => {
      this.#node = status;
      this.#emitState();
    });
    supervisor.on("stats", (snapshot) => {
      this.#stats = snapshot;
      this.emit("stats", snapshot);
    });
  }

  /** Starts the engine on the stored settings. */
  start(): void {
    this.#options.supervisor.start(this.#settings);
  }

  /** Stops the engine. */
  stop(): Promise<void> {
    return this.#options.supervisor.stop();
  }

  get settings(): Settings {
    return this.#settings;
  }

  /** The latest stats snapshot, once the engine has sent one. */
  get stats(): StatsSnapshot | undefined {
    return this.#stats;
  }

  /** Returns the state that the dashboard and the tray show. */
  state(): AppState {
    return {
      settings: publicSettings(this.#settings),
      engine: this.#options.supervisor.status,
      node: this.#node,
      notices: [...this.#notices],
      openAtLogin: this.#options.loginItem.get(),
    };
  }

  updateSettings(patch: SettingsPatch): Promise<ChangeResult> {
    return this.#change((settings) => applyPatch(settings, patch));
  }

  setProtection(enabled: boolean): Promise<ChangeResult> {
    return this.updateSettings({ protection: { enabled } });
  }

  setSectionEnabled(
    section: ProtectionSection,
    enabled: boolean,
  ): Promise<ChangeResult> {
    return this.updateSettings({ [section]: { enabled } });
  }

  /** Hashes a new password with scrypt and turns authentication on. */
  setPassword(
    username: string,
    password: string,
    confirmation: string,
  ): Promise<ChangeResult> {
    return this.#change(async (settings) => {
      if (password.length < MIN_PASSWORD_LENGTH)
        return rejected(
          "password",
          `The password is shorter than ${MIN_PASSWORD_LENGTH} characters. Choose a longer one.`,
        );
      if (password !== confirmation)
        return rejected(
          "confirmation",
          "The confirmation does not match the password. Type the same password twice.",
        );
      const record = await createPasswordRecord(password, "scrypt");
      return {
        ok: true,
        document: {
          ...settings,
          basicAuth: { enabled: true, username, ...record },
        },
      };
    });
  }

  importHornetAuth(text: string): Promise<ChangeResult> {
    return this.#change((settings) => importHornetBlock(settings, text));
  }

  addWhitelistEntry(entry: string): Promise<ChangeResult> {
    return this.#change((settings) => addWhitelistEntries(settings, [entry]));
  }

  removeWhitelistEntry(entry: string): Promise<ChangeResult> {
    return this.#change((settings) => removeWhitelistEntry(settings, entry));
  }

  addLocalNetwork(): Promise<ChangeResult> {
    return this.#change((settings) => {
      const ranges = this.#options.localNetworks();
      if (ranges.length === 0)
        return failure("whitelist.addresses", "", {
          reason: "cannot include the local network: no IPv4 network found",
          hint: "Connect to the network first, or add its range by hand, such as 192.168.1.0/24.",
        });
      return addWhitelistEntries(settings, ranges);
    });
  }

  blockClient(address: string, seconds: number): ChangeResult {
    const parsed = parseAddress(address);
    if (!parsed.ok) return failure("address", address, parsed) as ChangeResult;
    this.#options.supervisor.block(parsed.value.address, seconds);
    return { ok: true, state: this.state() };
  }

  unblockClient(address: string): ChangeResult {
    const parsed = parseAddress(address);
    if (!parsed.ok) return failure("address", address, parsed) as ChangeResult;
    this.#options.supervisor.unblock(parsed.value.address);
    return { ok: true, state: this.state() };
  }

  restartEngine(): AppState {
    this.#options.supervisor.restart();
    return this.state();
  }

  setOpenAtLogin(enabled: boolean): ChangeResult {
    try {
      this.#options.loginItem.set(enabled);
    } catch (error) {
      const message = `Failed to change start at login: ${String(error)}`;
      this.#log.error(
        { err: String(error) },
        "failed to change start at login",
      );
      return { ok: false, message, issues: [{ path: "openAtLogin", message }] };
    }
    this.#emitState();
    return { ok: true, state: this.state() };
  }

  /** Adds a notice, replacing one with the same id. */
  notify(notice: Notice): void {
    this.#notices = [
      ...this.#notices.filter((other) => other.id !== notice.id),
      notice,
    ];
    this.#emitState();
  }

  dismissNotice(id: string): AppState {
    this.#notices = this.#notices.filter((notice) => notice.id !== id);
    this.#emitState();
    return this.state();
  }

  /**
   * Runs one change at a time: validate, apply to the engine, then save.
   * A change that the schema or the engine rejects leaves the settings in
   * force and the stored file as they were.
   */
  #change(
    build: (settings: Settings) => Change | Promise<Change>,
  ): Promise<ChangeResult> {
    const run = this.#changes.then(async () =>
      this.#apply(await build(this.#settings)),
    );
    this.#changes = run.catch(() => undefined);
    return run;
  }

  async #apply(change: Change): Promise<ChangeResult> {
    if (!change.ok) return change;
    const parsed = parseSettings(change.document);
    if (!parsed.ok) return parsed;

    const applied = await this.#options.supervisor.apply(parsed.settings);
    if (!applied.ok) {
      const path = listenChanged(this.#settings, parsed.settings)
        ? "listen.port"
        : "";
      return {
        ok: false,
        message: applied.message,
        issues: [{ path, message: applied.message }],
      };
    }

    this.#settings = parsed.settings;
    try {
      const notice = this.#options.store.save(parsed.settings);
      if (notice) {
        this.#log.warn(notice);
        this.notify({
          id: "settings-file-replaced",
          level: "warning",
          message: notice,
        });
      }
    } catch (error) {
      this.#log.error({ err: String(error) }, "failed to save the settings");
      this.notify({
        id: "settings-save-failed",
        level: "error",
        message: `The settings are in force but could not be saved: ${String(error)}. They will be lost when Node Shield quits.`,
      });
    }
    this.#emitState();
    return { ok: true, state: this.state() };
  }

  #emitState(): void {
    this.emit("state", this.state());
  }
}

function rejected(path: string, message: string): Change {
  return { ok: false, message, issues: [{ path, message }] };
}

function listenChanged(previous: Settings, next: Settings): boolean {
  return (
    previous.listen.host !== next.listen.host ||
    previous.listen.port !== next.listen.port
  );
}
