import { existsSync, readFileSync } from "node:fs";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { appPaths, TRAY_STATUSES } from "../../main/paths.js";
import { createTray } from "../../main/tray.js";
import type { StatsSnapshot } from "../../shared/stats.js";
import {
  createControllerFixture,
  type ControllerFixture,
} from "../support/controller.js";
import { fake, resetFake, type FakeTray } from "../support/fake-electron.js";
import { PROJECT_ROOT } from "../support/paths.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

const paths = appPaths(PROJECT_ROOT, "linux");
let fixture: ControllerFixture;
let tray: FakeTray;
const actions = { openDashboard: vi.fn(), quit: vi.fn() };

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(async () => {
  resetFake();
  actions.openDashboard.mockReset();
  actions.quit.mockReset();
  fixture = createControllerFixture();
  await settle();
  createTray(fixture.controller, paths, actions);
  tray = fake.trays[0] as FakeTray;
});
afterEach(() => fixture.cleanUp());

function pngSize(path: string): [number, number] {
  const data = readFileSync(path);
  expect(data.subarray(1, 4).toString("ascii")).toBe("PNG");
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

describe("tray", () => {
  it("is created with an icon that exists", () => {
    expect(fake.trays).toHaveLength(1);
    expect(tray.image.path).toBe(paths.trayIcons.protected);
    expect(existsSync(tray.image.path)).toBe(true);
  });

  it("has icons for every state at 1x and 2x", () => {
    for (const platform of ["linux", "darwin", "win32"] as const) {
      for (const status of TRAY_STATUSES) {
        const icon = appPaths(PROJECT_ROOT, platform).trayIcons[status];
        expect(pngSize(icon), icon).toEqual([16, 16]);
        expect(pngSize(icon.replace(/\.png$/, "@2x.png")), icon).toEqual([
          32, 32,
        ]);
      }
    }
    expect(appPaths(PROJECT_ROOT, "darwin").trayIcons.failing).toMatch(
      /tray-failingTemplate\.png$/,
    );
  });

  it("menu has the status, switches and actions", () => {
    const labels = tray.menu?.items.map((item) => item.label ?? item.type);
    expect(labels).toEqual([
      "Protected",
      "separator",
      "Protection",
      "Authentication",
      "Whitelist",
      "Rate limit",
      "separator",
      "Open dashboard",
      "Start at login",
      "separator",
      "Quit",
    ]);
    expect(tray.item("Protected").enabled).toBe(false);
    expect(tray.item("Protection")).toMatchObject({
      type: "checkbox",
      checked: true,
    });
    expect(tray.item("Authentication").checked).toBe(false);
    expect(tray.item("Whitelist").checked).toBe(true);
    expect(tray.item("Rate limit").checked).toBe(true);
  });

  it("protection click switches it off and turns the icon red", async () => {
    tray.item("Protection").click?.({ checked: false });
    await settle();
    expect(fixture.controller.settings.protection.enabled).toBe(false);
    expect(tray.image.path).toBe(paths.trayIcons.unprotected);
    expect(tray.item("Protection").checked).toBe(false);
    expect(tray.menu?.items[0]?.label).toContain("Unprotected");
    expect(tray.tooltip).toContain("Unprotected");

    tray.item("Protection").click?.({ checked: true });
    await settle();
    expect(tray.image.path).toBe(paths.trayIcons.protected);
  });

  it("menu follows changes made elsewhere", async () => {
    await fixture.controller.updateSettings({ rateLimit: { enabled: false } });
    expect(tray.item("Rate limit").checked).toBe(false);
  });

  it("section click reaches the engine", async () => {
    tray.item("Whitelist").click?.({ checked: false });
    await settle();
    expect(fixture.controller.settings.whitelist.enabled).toBe(false);
    const sent = fixture.engines[0]?.commands.at(-1);
    expect(sent).toMatchObject({
      type: "update",
      settings: { whitelist: { enabled: false } },
    });
  });

  it("rejected click opens the dashboard with the reason", async () => {
    tray.item("Authentication").click?.({ checked: true });
    await settle();
    expect(fixture.controller.settings.basicAuth.enabled).toBe(false);
    expect(actions.openDashboard).toHaveBeenCalledTimes(1);
    const notice = fixture.controller.state().notices[0];
    expect(notice?.message).toContain("basicAuth.username");
    expect(tray.item("Authentication").checked).toBe(false);
  });

  it("open dashboard, start at login and quit", () => {
    tray.item("Open dashboard").click?.({ checked: false });
    expect(actions.openDashboard).toHaveBeenCalledTimes(1);
    tray.item("Start at login").click?.({ checked: true });
    expect(fixture.loginItem.enabled).toBe(true);
    expect(tray.item("Start at login").checked).toBe(true);
    tray.item("Quit").click?.({ checked: false });
    expect(actions.quit).toHaveBeenCalledTimes(1);
  });

  it("tooltip shows requests per second", () => {
    fixture.supervisor.emit("stats", {
      requestsPerSecond: 12,
    } as StatsSnapshot);
    expect(tray.tooltip).toBe("Node Shield: Protected. 12 requests per second");
  });

  it("engine crash shows the failing icon", async () => {
    fixture.engines[0]?.crash(1);
    expect(tray.image.path).toBe(paths.trayIcons.failing);
    expect(tray.menu?.items[0]?.label).toContain("restarting");
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(tray.image.path).toBe(paths.trayIcons.protected);
  });

  it("unreachable node shows the failing icon", () => {
    fixture.supervisor.emit("node", { reachable: false, error: "refused" });
    expect(tray.image.path).toBe(paths.trayIcons.failing);
    expect(tray.menu?.items[0]?.label).toBe("The node does not answer");
  });
});
