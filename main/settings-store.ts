/**
 * The desktop app's settings: one JSON document in the user data folder, in
 * the same format as the headless command's `--config` file. It is written
 * with electron-store, which writes a temporary file and renames it, so a
 * kill mid-write leaves the old file or the new one. The exceptions (conf
 * 16 writes in place inside a Snap and after EXDEV on Windows) can leave a
 * torn file, which the recovery below then handles like a corrupted one.
 *
 * Validation is `parseSettings` from `shared/`, not electron-store's JSON
 * Schema option, so that the app, the headless command and the engine
 * accept exactly the same documents. A file that cannot be used is never
 * overwritten: it is moved aside and kept. The app then falls back to the
 * previous valid document, which every save keeps beside the file, or to
 * the defaults, and the owner gets a notice that names the kept file.
 */
import { copyFileSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";

import ElectronStore from "electron-store";

import {
  defaultSettings,
  parseSettings,
  type Settings,
} from "../shared/settings.js";
import {
  migrateSettings,
  SETTINGS_MIGRATIONS,
  type Migration,
} from "./settings-migrations.js";

export const SETTINGS_FILE = "settings.json";
export const PREVIOUS_SETTINGS_FILE = "settings.previous.json";

export interface SettingsStoreOptions {
  /** Folder of the settings files, usually Electron's userData path. */
  directory: string;
  migrations?: Readonly<Record<number, Migration>>;
  now?: () => Date;
}

/** The store and what it started with. */
export interface OpenedSettings {
  store: SettingsStore;
  settings: Settings;
  /** Set when the stored file could not be used as it was. */
  notice?: string;
  /** True when there was no settings file yet. */
  firstRun: boolean;
}

type ReadResult =
  | { kind: "missing" }
  | { kind: "valid"; settings: Settings; migratedFrom?: number }
  | { kind: "unusable"; reason: string };

/** Reads and writes the settings document. */
export class SettingsStore {
  readonly #store: ElectronStore<Record<string, unknown>>;
  readonly #directory: string;
  readonly #migrations: Readonly<Record<number, Migration>>;

  private constructor(
    directory: string,
    migrations: Readonly<Record<number, Migration>>,
  ) {
    this.#directory = directory;
    this.#migrations = migrations;
    this.#store = new ElectronStore<Record<string, unknown>>({
      cwd: directory,
      name: SETTINGS_FILE.replace(/\.json$/, ""),
      clearInvalidConfig: false,
      // The version is only used by electron-store's own migrations, which
      // this store does not use.
      projectVersion: "1.0.0",
    });
  }

  /** Opens the store, recovering from a file that cannot be used. */
  static open(options: SettingsStoreOptions): OpenedSettings {
    const { directory } = options;
    const now = options.now ?? (() => new Date());
    const migrations = options.migrations ?? SETTINGS_MIGRATIONS;
    const mainPath = join(directory, SETTINGS_FILE);
    const previousPath = join(directory, PREVIOUS_SETTINGS_FILE);
    const read = readSettingsDocument(mainPath, migrations);

    if (read.kind === "missing" || read.kind === "valid") {
      const store = new SettingsStore(directory, migrations);
      const settings =
        read.kind === "valid" ? read.settings : defaultSettings();
      if (read.kind === "missing" || read.migratedFrom !== undefined) {
        if (read.kind === "valid")
          copyFileSync(mainPath, backupPath(directory, "migrated", now()));
        store.#write(settings);
      }
      return { store, settings, firstRun: read.kind === "missing" };
    }

    const backup = backupPath(directory, "unreadable", now());
    renameSync(mainPath, backup);
    const previous = readSettingsDocument(previousPath, migrations);
    const store = new SettingsStore(directory, migrations);
    const fallback =
      previous.kind === "valid"
        ? {
            settings: previous.settings,
            source: "the previous valid settings",
          }
        : { settings: defaultSettings(), source: "the default settings" };
    store.#write(fallback.settings);
    return {
      store,
      settings: fallback.settings,
      firstRun: false,
      notice: `The settings file could not be used: ${read.reason}. It was kept as ${backup}, and Node Shield started on ${fallback.source}. Copy what you need from the kept file, then change the settings here.`,
    };
  }

  /** Path of the settings file. */
  get path(): string {
    return this.#store.path;
  }

  /**
   * Saves valid settings, keeping the document they replace beside them.
   * A file that was changed into something unusable since it was read is
   * kept aside instead, and the returned notice names the kept file.
   */
  save(settings: Settings, now = new Date()): string | undefined {
    const mainPath = this.path;
    let notice: string | undefined;
    const current = readSettingsDocument(mainPath, this.#migrations);
    if (current.kind === "valid") {
      // Copy, then rename: a kill mid-copy must not tear the previous file.
      const previousPath = join(this.#directory, PREVIOUS_SETTINGS_FILE);
      copyFileSync(mainPath, `${previousPath}.tmp`);
      renameSync(`${previousPath}.tmp`, previousPath);
    } else if (current.kind === "unusable") {
      const backup = backupPath(this.#directory, "unreadable", now);
      renameSync(mainPath, backup);
      notice = `The settings file had been changed and could not be used: ${current.reason}. It was kept as ${backup} and replaced by the settings in force.`;
    }
    this.#write(settings);
    return notice;
  }

  #write(settings: Settings): void {
    this.#store.store = settings as unknown as Record<string, unknown>;
  }
}

/** Reads a settings file and returns whether it can be used, and if not, why. */
export function readSettingsDocument(
  path: string,
  migrations: Readonly<Record<number, Migration>> = SETTINGS_MIGRATIONS,
): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { kind: "missing" };
    return { kind: "unusable", reason: `it cannot be read (${String(error)})` };
  }

  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return { kind: "unusable", reason: "it is not valid JSON" };
  }
  if (
    document === null ||
    typeof document !== "object" ||
    Array.isArray(document)
  )
    return { kind: "unusable", reason: "it is not a JSON object" };

  const migrated = migrateSettings(
    document as Record<string, unknown>,
    migrations,
  );
  if (!migrated.ok) return { kind: "unusable", reason: migrated.message };
  const parsed = parseSettings(migrated.document);
  if (!parsed.ok)
    return {
      kind: "unusable",
      reason: `it is invalid (${parsed.issues.map((issue) => issue.message).join(" ")})`,
    };
  return {
    kind: "valid",
    settings: parsed.settings,
    migratedFrom:
      migrated.from === parsed.settings.schemaVersion
        ? undefined
        : migrated.from,
  };
}

function backupPath(directory: string, reason: string, time: Date): string {
  const stamp = time.toISOString().replace(/[:.]/g, "-");
  return join(directory, `settings.${reason}-${stamp}.json`);
}
