import { spawn } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import {
  PREVIOUS_SETTINGS_FILE,
  SETTINGS_FILE,
  SettingsStore,
} from "../../main/settings-store.js";
import { migrateSettings } from "../../main/settings-migrations.js";
import { defaultSettings, parseSettings } from "../../shared/settings.js";
import { PROJECT_ROOT } from "../support/paths.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

let directory: string;
const now = () => new Date("2026-01-02T03:04:05.678Z");

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "node-shield-store-"));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function settingsWithPort(port: number) {
  const parsed = parseSettings({ listen: { port } });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.settings;
}

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(join(directory, name), "utf8"));
}

function keptFiles(): string[] {
  return readdirSync(directory).filter((name) => name.includes("unreadable"));
}

describe("SettingsStore", () => {
  it("first run writes the defaults", () => {
    const opened = SettingsStore.open({ directory, now });
    expect(opened.settings).toEqual(defaultSettings());
    expect(opened.notice).toBeUndefined();
    expect(readJson(SETTINGS_FILE)).toEqual(defaultSettings());
  });

  it("settings survive a restart", () => {
    const first = SettingsStore.open({ directory, now });
    first.store.save(settingsWithPort(15111));
    const second = SettingsStore.open({ directory, now });
    expect(second.settings.listen.port).toBe(15111);
    expect(second.notice).toBeUndefined();
  });

  it("save keeps the replaced document", () => {
    const { store } = SettingsStore.open({ directory, now });
    store.save(settingsWithPort(15112));
    store.save(settingsWithPort(15113));
    expect(readJson(SETTINGS_FILE)).toMatchObject({ listen: { port: 15113 } });
    expect(readJson(PREVIOUS_SETTINGS_FILE)).toMatchObject({
      listen: { port: 15112 },
    });
  });

  it("corrupted file is kept and previous settings restored", () => {
    const { store } = SettingsStore.open({ directory, now });
    store.save(settingsWithPort(15114));
    store.save(settingsWithPort(15115));
    const corrupted = '{"listen": {"port": 15115}, "whitelist": {"addr';
    writeFileSync(join(directory, SETTINGS_FILE), corrupted);

    const reopened = SettingsStore.open({ directory, now });
    expect(reopened.settings.listen.port).toBe(15114);
    expect(reopened.notice).toContain("is not valid JSON");
    expect(reopened.notice).toContain("the previous valid settings");
    const kept = keptFiles();
    expect(kept).toEqual(["settings.unreadable-2026-01-02T03-04-05-678Z.json"]);
    expect(reopened.notice).toContain(kept[0]);
    expect(readFileSync(join(directory, kept[0] as string), "utf8")).toBe(
      corrupted,
    );
    expect(readJson(SETTINGS_FILE)).toMatchObject({ listen: { port: 15114 } });
  });

  it("torn write restores the previous settings", () => {
    const { store } = SettingsStore.open({ directory, now });
    store.save(settingsWithPort(15121));
    store.save(settingsWithPort(15122));
    // What a write in place (no rename) leaves when it is cut off.
    const full = readFileSync(join(directory, SETTINGS_FILE), "utf8");
    writeFileSync(
      join(directory, SETTINGS_FILE),
      full.slice(0, full.length / 2),
    );

    const reopened = SettingsStore.open({ directory, now });
    expect(reopened.settings.listen.port).toBe(15121);
    expect(reopened.notice).toContain("is not valid JSON");
    expect(keptFiles()).toHaveLength(1);
  });

  it("save keeps a file changed into garbage", () => {
    const { store } = SettingsStore.open({ directory, now });
    store.save(settingsWithPort(15123));
    writeFileSync(join(directory, SETTINGS_FILE), "edited by hand {");
    const notice = store.save(settingsWithPort(15124), now());

    expect(notice).toContain("is not valid JSON");
    const kept = keptFiles();
    expect(kept).toHaveLength(1);
    expect(notice).toContain(kept[0]);
    expect(readFileSync(join(directory, kept[0] as string), "utf8")).toBe(
      "edited by hand {",
    );
    // The garbage does not replace the previous valid document.
    expect(readJson(PREVIOUS_SETTINGS_FILE)).toMatchObject({
      listen: { port: 14266 },
    });
    expect(readJson(SETTINGS_FILE)).toMatchObject({ listen: { port: 15124 } });
  });

  it("corrupted file without a previous one starts on defaults", () => {
    writeFileSync(join(directory, SETTINGS_FILE), "\u0000\u0000garbage");
    const opened = SettingsStore.open({ directory, now });
    expect(opened.settings).toEqual(defaultSettings());
    expect(opened.notice).toContain("the default settings");
    expect(keptFiles()).toHaveLength(1);
  });

  it("file from a newer version is kept, not overwritten", () => {
    const { store } = SettingsStore.open({ directory, now });
    store.save(settingsWithPort(15116));
    store.save(settingsWithPort(15117));
    const newer = JSON.stringify({
      schemaVersion: 7,
      listen: { port: 15118 },
      futureSection: { enabled: true },
    });
    writeFileSync(join(directory, SETTINGS_FILE), newer);

    const reopened = SettingsStore.open({ directory, now });
    expect(reopened.notice).toContain("newer version of Node Shield");
    expect(reopened.notice).toContain("settings version 7");
    expect(reopened.settings.listen.port).toBe(15116);
    const kept = keptFiles();
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(directory, kept[0] as string), "utf8")).toBe(
      newer,
    );
  });

  it("invalid field names the field in the notice", () => {
    writeFileSync(
      join(directory, SETTINGS_FILE),
      JSON.stringify({ rateLimit: { requestsPerSecond: -3 } }),
    );
    const opened = SettingsStore.open({ directory, now });
    expect(opened.notice).toContain("rateLimit.requestsPerSecond");
    expect(opened.settings).toEqual(defaultSettings());
  });

  it("secrets are not echoed in the notice", () => {
    writeFileSync(
      join(directory, SETTINGS_FILE),
      JSON.stringify({
        basicAuth: {
          enabled: true,
          username: "admin",
          passwordHash: "not-a-hash-secretvalue",
          passwordSalt: "saltsecret",
        },
      }),
    );
    const opened = SettingsStore.open({ directory, now });
    expect(opened.notice).toContain("basicAuth.passwordHash");
    expect(opened.notice).not.toContain("secretvalue");
    expect(opened.notice).not.toContain("saltsecret");
  });

  it("migrates an older version and keeps the original", () => {
    writeFileSync(
      join(directory, SETTINGS_FILE),
      JSON.stringify({ schemaVersion: 1, proxyPort: 15119 }),
    );
    const migrations = {
      1: ({ proxyPort, ...rest }: Record<string, unknown>) => ({
        ...rest,
        listen: { port: proxyPort },
      }),
    };
    // Version 2 is this test's "current" version: the migration turns the
    // version 1 document into one the schema reads.
    const migrated = migrateSettings(
      JSON.parse(readFileSync(join(directory, SETTINGS_FILE), "utf8")),
      migrations,
      2,
    );
    expect(migrated).toEqual({
      ok: true,
      from: 1,
      document: { schemaVersion: 2, listen: { port: 15119 } },
    });
  });

  it("migration is applied on open", () => {
    // An older document: schema version 0 did not exist on disk, so the
    // test's migration table starts there to exercise the open path.
    writeFileSync(
      join(directory, SETTINGS_FILE),
      JSON.stringify({ schemaVersion: 0, proxyPort: 15120 }),
    );
    const migrations = {
      0: ({ proxyPort, ...rest }: Record<string, unknown>) => ({
        ...rest,
        listen: { port: proxyPort },
      }),
    };
    const opened = SettingsStore.open({ directory, now, migrations });
    expect(opened.notice).toBeUndefined();
    expect(opened.settings.listen.port).toBe(15120);
    expect(readJson(SETTINGS_FILE)).toMatchObject({
      schemaVersion: 1,
      listen: { port: 15120 },
    });
    expect(
      readdirSync(directory).filter((name) => name.includes("migrated")),
    ).toHaveLength(1);
  });

  it("missing migration keeps the file aside", () => {
    writeFileSync(
      join(directory, SETTINGS_FILE),
      JSON.stringify({ schemaVersion: 0 }),
    );
    const opened = SettingsStore.open({ directory, now });
    expect(opened.notice).toContain(
      "settings version 0, which this version of Node Shield cannot migrate",
    );
    expect(keptFiles()).toHaveLength(1);
  });

  it("write killed midway leaves a valid file", async () => {
    const { store } = SettingsStore.open({ directory, now });
    store.save(settingsWithPort(20000));
    const writer = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(PROJECT_ROOT, "test/support/settings-writer.ts"),
        directory,
      ],
      {
        cwd: PROJECT_ROOT,
        // Resolves require("electron") to a path without downloading it.
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: directory },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    // Wait until the writer has saved a few times, then kill it mid-loop.
    await new Promise<void>((resolve, reject) => {
      let output = "";
      writer.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.split("\n").length > 20) resolve();
      });
      writer.once("exit", (code) => reject(new Error(`writer exited ${code}`)));
    });
    writer.kill("SIGKILL");
    await new Promise((resolve) => writer.once("exit", resolve));

    const reopened = SettingsStore.open({ directory, now });
    expect(reopened.notice).toBeUndefined();
    expect(reopened.settings.listen.port).toBeGreaterThanOrEqual(20000);
    expect(reopened.settings.listen.port).toBeLessThan(21000);
    expect(keptFiles()).toEqual([]);
  });
});
