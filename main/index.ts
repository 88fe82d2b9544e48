/**
 * Composition root of the desktop app: one instance, a tray icon, the
 * dashboard window and the engine process, wired to one controller.
 */
import { networkInterfaces } from "node:os";

import { app, type Tray } from "electron";

import { createLogger } from "../shared/logger.js";
import { AppController } from "./app-controller.js";
import { utilityProcessSpawner } from "./engine-process.js";
import { EngineSupervisor } from "./engine-supervisor.js";
import { forwardEventsToDashboard } from "./dashboard-events.js";
import { registerIpcHandlers } from "./ipc.js";
import { createHandlers } from "./ipc-handlers.js";
import { systemLoginItem } from "./login-item.js";
import { appPaths } from "./paths.js";
import { localNetworkRanges } from "./settings-changes.js";
import { SettingsStore } from "./settings-store.js";
import { createTray } from "./tray.js";
import { DashboardWindow, lockDownWebContents } from "./window.js";

const logger = createLogger({
  level: process.env.NODE_SHIELD_LOG_LEVEL ?? "info",
  format: process.stdout.isTTY ? "pretty" : "json",
});
const log = logger.child({ module: "app" });
// Module scope keeps the tray from being garbage-collected.
let tray: Tray | undefined;

function start(): void {
  const paths = appPaths(app.getAppPath(), process.platform);
  lockDownWebContents(logger);

  const opened = SettingsStore.open({ directory: app.getPath("userData") });
  const supervisor = new EngineSupervisor(
    utilityProcessSpawner(paths.engineHost),
    { logger },
  );
  const controller = new AppController({
    store: opened.store,
    settings: opened.settings,
    supervisor,
    loginItem: systemLoginItem(),
    localNetworks: () => localNetworkRanges(networkInterfaces()),
    logger,
    notices: opened.notice
      ? [{ id: "settings-recovered", level: "warning", message: opened.notice }]
      : [],
  });

  const dashboard = new DashboardWindow(paths, logger);
  registerIpcHandlers(
    createHandlers(controller),
    dashboard.isTrustedSender,
    logger,
  );
  forwardEventsToDashboard(controller, dashboard);

  tray = createTray(controller, paths, {
    openDashboard: () => dashboard.show(),
    quit: () => app.quit(),
  });
  app.on("second-instance", () => dashboard.show());
  quitAfterEngineStops(controller);

  controller.start();
  log.info({ settings: opened.store.path }, "Node Shield started");
  if (opened.notice) log.warn(opened.notice);
  // A tray app starts hidden, except when there is something to set up or see.
  if (
    opened.notice ||
    opened.firstRun ||
    process.argv.includes("--open-dashboard")
  )
    dashboard.show();
}

/** Stops the engine before the app quits, so that requests in flight finish. */
function quitAfterEngineStops(controller: AppController): void {
  let stopped = false;
  app.on("before-quit", (event) => {
    if (stopped) return;
    event.preventDefault();
    void controller.stop().finally(() => {
      stopped = true;
      tray?.destroy();
      app.quit();
    });
  });
}

// Lets a second, isolated copy run, as the end-to-end tests do.
if (process.env.NODE_SHIELD_USER_DATA)
  app.setPath("userData", process.env.NODE_SHIELD_USER_DATA);

if (!app.requestSingleInstanceLock()) {
  // Another instance runs; it shows its dashboard on "second-instance".
  app.quit();
} else {
  // A tray app keeps running with no window open.
  app.on("window-all-closed", () => undefined);
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log.fatal({ err: String(error) }, "Node Shield failed to start");
      app.exit(1);
    });
}
