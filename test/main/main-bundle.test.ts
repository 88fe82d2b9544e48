import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { INVOKE_CHANNELS } from "../../shared/ipc.js";
import {
  app,
  fake,
  resetFake,
  type FakeBrowserWindow,
  type FakeTray,
  type FakeUtilityProcess,
} from "../support/fake-electron.js";
import { DIST, PROJECT_ROOT } from "../support/paths.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

let userData: string;

beforeAll(async () => {
  resetFake();
  userData = mkdtempSync(join(tmpdir(), "node-shield-smoke-"));
  fake.appPath = PROJECT_ROOT;
  fake.userData = userData;
  process.env.NODE_SHIELD_LOG_LEVEL = "silent";
  // The built bundle, exactly as Electron would load it.
  await import(`${DIST}main.js`);
  app.fireReady();
  await new Promise((resolve) => setTimeout(resolve, 50));
});

afterAll(() => {
  rmSync(userData, { recursive: true, force: true });
});

describe("built main bundle", () => {
  it("creates a tray with an icon that exists", () => {
    expect(fake.trays).toHaveLength(1);
    const tray = fake.trays[0] as FakeTray;
    expect(tray.image.path.startsWith(PROJECT_ROOT)).toBe(true);
    expect(existsSync(tray.image.path)).toBe(true);
    expect(tray.menu?.items.map((item) => item.label)).toContain("Protection");
  });

  it("forks an engine entry that exists", () => {
    expect(fake.forks).toHaveLength(1);
    const engine = fake.forks[0] as FakeUtilityProcess;
    expect(engine.entry).toBe(join(PROJECT_ROOT, "dist", "engine-host.js"));
    expect(existsSync(engine.entry)).toBe(true);
    expect(engine.posted[0]).toMatchObject({ type: "start" });
  });

  it("registers a handler for every channel", () => {
    expect([...fake.handlers.keys()].sort()).toEqual(
      [...INVOKE_CHANNELS].sort(),
    );
  });

  it("writes the settings into userData", () => {
    expect(existsSync(join(userData, "settings.json"))).toBe(true);
  });

  it("opens a window whose page and preload exist", () => {
    (fake.trays[0] as FakeTray)
      .item("Open dashboard")
      .click?.({ checked: false });
    expect(fake.windows).toHaveLength(1);
    const window = fake.windows[0] as FakeBrowserWindow;
    const preload = (window.options.webPreferences as { preload: string })
      .preload;
    expect(existsSync(preload)).toBe(true);
    expect(preload.endsWith(".cjs")).toBe(true);
    expect(existsSync(window.loadedFile ?? "")).toBe(true);
  });

  it("second start shows the dashboard", () => {
    const window = fake.windows[0] as FakeBrowserWindow;
    window.hide();
    app.emit("second-instance");
    expect(window.visible).toBe(true);
    expect(fake.windows).toHaveLength(1);
  });

  it("quit stops the engine first", async () => {
    const event = { preventDefault: vi.fn() };
    app.emit("before-quit", event);
    expect(event.preventDefault).toHaveBeenCalled();
    const engine = fake.forks[0] as FakeUtilityProcess;
    expect(engine.posted.at(-1)).toEqual({ type: "stop" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.quitCalls).toBe(1);
    expect((fake.trays[0] as FakeTray).destroyed).toBe(true);
  });
});
