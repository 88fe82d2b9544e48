/**
 * Migrations of stored settings documents between schema versions. Each
 * entry turns a document of version `n` into one of version `n + 1`.
 */
import { SETTINGS_SCHEMA_VERSION } from "../shared/settings.js";

export type Migration = (
  document: Record<string, unknown>,
) => Record<string, unknown>;

/**
 * Migrations keyed by the version they start from. Version 1 is the first
 * stored version, so there is nothing to migrate yet.
 */
export const SETTINGS_MIGRATIONS: Readonly<Record<number, Migration>> = {};

export type MigrationResult =
  | { ok: true; document: Record<string, unknown>; from: number }
  | { ok: false; kind: "newer" | "unknown-version"; message: string };

/**
 * Brings a document up to the current schema version. A document without
 * `schemaVersion` is taken to be current, as the headless command does.
 */
export function migrateSettings(
  document: Record<string, unknown>,
  migrations: Readonly<Record<number, Migration>> = SETTINGS_MIGRATIONS,
  current = SETTINGS_SCHEMA_VERSION,
): MigrationResult {
  const stored = document.schemaVersion ?? current;
  if (typeof stored !== "number" || !Number.isInteger(stored) || stored < 0) {
    return {
      ok: false,
      kind: "unknown-version",
      message: `schemaVersion ${JSON.stringify(stored)} is not a settings version`,
    };
  }
  if (stored > current) {
    return {
      ok: false,
      kind: "newer",
      message: `it was written by a newer version of Node Shield (settings version ${stored}; this version reads up to ${current})`,
    };
  }

  let migrated = document;
  for (let version = stored; version < current; version++) {
    const migration = migrations[version];
    if (!migration) {
      return {
        ok: false,
        kind: "unknown-version",
        message: `it has settings version ${stored}, which this version of Node Shield cannot migrate`,
      };
    }
    migrated = { ...migration(migrated), schemaVersion: version + 1 };
  }
  return { ok: true, document: migrated, from: stored };
}
