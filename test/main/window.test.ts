import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { beforeEach, describe, expect, it, vi } from "vitest";

import { appPaths } from "../../main/paths.js";
import {
  DashboardWindow,
  dashboardWindowOptions,
  lockDownWebContents,
} from "../../main/window.js";
import { silentLogger } from "../../shared/logger.js";
import {
  app,
  fake,
  FakeWebContents,
  resetFake,
  type FakeBrowserWindow,
} from "../support/fake-electron.js";
import { PROJECT_ROOT } from "../support/paths.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

const paths = appPaths(PROJECT_ROOT, "linux");

beforeEach(() => resetFake());

function openDashboard(): {
  dashboard: DashboardWindow;
  window: FakeBrowserWindow;
} {
  const dashboard = new DashboardWindow(paths, silentLogger());
  dashboard.show();
  return { dashboard, window: fake.windows[0] as FakeBrowserWindow };
}

function ipcEvent(sender: FakeWebContents, frame: { url: string } | null) {
  return { sender, senderFrame: frame } as never;
}

describe("dashboard window", () => {
  it("runs isolated and sandboxed without Node", () => {
    const { webPreferences } = dashboardWindowOptions(paths);
    expect(webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it("preload, page and icon exist", () => {
    const options = dashboardWindowOptions(paths);
    expect(options.webPreferences?.preload).toMatch(/preload\.cjs$/);
    expect(existsSync(options.webPreferences?.preload ?? "")).toBe(true);
    expect(existsSync(paths.page)).toBe(true);
    expect(existsSync(options.icon as string)).toBe(true);
  });

  it("page has a strict content security policy", () => {
    const html = readFileSync(paths.page, "utf8");
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(
      html,
    )?.[1];
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
  });

  it("show creates one window and loads the page", () => {
    const { dashboard, window } = openDashboard();
    dashboard.show();
    expect(fake.windows).toHaveLength(1);
    expect(window.loadedFile).toBe(paths.page);
    expect(window.visible).toBe(true);
    expect(window.options).toEqual(dashboardWindowOptions(paths));
  });

  it("close hides the window until quit", () => {
    const { window } = openDashboard();
    const event = { preventDefault: vi.fn() };
    window.emit("close", event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(window.visible).toBe(false);

    app.emit("before-quit");
    const quitting = { preventDefault: vi.fn() };
    window.emit("close", quitting);
    expect(quitting.preventDefault).not.toHaveBeenCalled();
  });

  it("trusts only the dashboard's main frame", () => {
    const { dashboard, window } = openDashboard();
    const contents = window.webContents;
    const page = pathToFileURL(paths.page).href;
    expect(
      dashboard.isTrustedSender(ipcEvent(contents, contents.mainFrame)),
    ).toBe(true);
    expect(
      dashboard.isTrustedSender(ipcEvent(new FakeWebContents(), { url: page })),
    ).toBe(false);
    expect(dashboard.isTrustedSender(ipcEvent(contents, { url: page }))).toBe(
      false,
    );
    const trustedWith = (url: string) => {
      contents.mainFrame.url = url;
      return dashboard.isTrustedSender(ipcEvent(contents, contents.mainFrame));
    };
    expect(trustedWith(page.replace("index.html", "ind%65x.html"))).toBe(true);
    expect(trustedWith(page.replace("index.html", "other.html"))).toBe(false);
    expect(trustedWith("file://evil.example/dist/renderer/index.html")).toBe(
      false,
    );
    expect(trustedWith("https://example.org/")).toBe(false);
    expect(dashboard.isTrustedSender(ipcEvent(contents, null))).toBe(false);
  });

  it("no window means no trusted sender", () => {
    const dashboard = new DashboardWindow(paths, silentLogger());
    expect(
      dashboard.isTrustedSender(ipcEvent(new FakeWebContents(), { url: "" })),
    ).toBe(false);
  });
});

describe("lockDownWebContents", () => {
  beforeEach(() => lockDownWebContents(silentLogger()));

  it("denies window.open", () => {
    const { window } = openDashboard();
    const decision = window.webContents.windowOpenHandler?.({
      url: "https://example.org/",
    });
    expect(decision).toEqual({ action: "deny" });
  });

  it("blocks navigation, redirects and webviews", () => {
    const { window } = openDashboard();
    for (const name of [
      "will-navigate",
      "will-redirect",
      "will-attach-webview",
    ]) {
      const event = { preventDefault: vi.fn() };
      window.webContents.emit(name, event, "https://example.org/");
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
  });

  it("refuses permission requests", () => {
    const answers: boolean[] = [];
    fake.permissionHandler?.({}, "media", (ok) => answers.push(ok));
    fake.permissionHandler?.({}, "notifications", (ok) => answers.push(ok));
    expect(answers).toEqual([false, false]);
  });
});
