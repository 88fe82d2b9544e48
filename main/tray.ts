/**
 * The tray icon and its menu. Both follow every change of the app's state,
 * whether it was made in the dashboard or in the menu itself.
 */
import {
  Menu,
  nativeImage,
  Tray,
  type MenuItemConstructorOptions,
} from "electron";

import {
  describeStatus,
  trayStatus,
  type AppState,
  type ChangeResult,
} from "../shared/app-state.js";
import type { StatsSnapshot } from "../shared/stats.js";
import type { AppController, ProtectionSection } from "./app-controller.js";
import type { AppPaths } from "./paths.js";

export interface TrayActions {
  openDashboard(): void;
  quit(): void;
}

const SECTIONS: readonly { section: ProtectionSection; label: string }[] = [
  { section: "basicAuth", label: "Authentication" },
  { section: "whitelist", label: "Whitelist" },
  { section: "rateLimit", label: "Rate limit" },
];

/** Builds the menu template for a state. */
export function trayMenuTemplate(
  state: AppState,
  controller: AppController,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const { settings } = state;
  const report = (result: Promise<ChangeResult>) =>
    void result.then((outcome) => {
      if (outcome.ok) return;
      // The menu has no room for the reason: show it in the dashboard.
      controller.notify({
        id: "tray-change-rejected",
        level: "error",
        message: outcome.message,
      });
      actions.openDashboard();
    });

  const error =
    state.engine.phase === "failed" && state.engine.error
      ? [{ label: truncate(state.engine.error, 100), enabled: false }]
      : [];
  return [
    { label: describeStatus(state), enabled: false },
    ...error,
    { type: "separator" },
    {
      label: "Protection",
      type: "checkbox",
      checked: settings.protection.enabled,
      click: (item) => report(controller.setProtection(item.checked)),
    },
    ...SECTIONS.map(({ section, label }): MenuItemConstructorOptions => ({
      label,
      type: "checkbox",
      checked: settings[section].enabled,
      enabled: settings.protection.enabled,
      click: (item) =>
        report(controller.setSectionEnabled(section, item.checked)),
    })),
    { type: "separator" },
    { label: "Open dashboard", click: () => actions.openDashboard() },
    {
      label: "Start at login",
      type: "checkbox",
      checked: state.openAtLogin,
      click: (item) => {
        const result = controller.setOpenAtLogin(item.checked);
        if (!result.ok) report(Promise.resolve(result));
      },
    },
    { type: "separator" },
    { label: "Quit", click: () => actions.quit() },
  ];
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** Returns the tooltip for a state and the latest stats. */
export function trayTooltip(
  state: AppState,
  stats: StatsSnapshot | undefined,
): string {
  const rate = stats?.requestsPerSecond ?? 0;
  return `Node Shield: ${describeStatus(state)}. ${rate} requests per second`;
}

/** Creates the tray icon and keeps it in step with the controller. */
export function createTray(
  controller: AppController,
  paths: AppPaths,
  actions: TrayActions,
): Tray {
  let state = controller.state();
  let status = trayStatus(state);
  const tray = new Tray(nativeImage.createFromPath(paths.trayIcons[status]));

  const render = () => {
    tray.setContextMenu(
      Menu.buildFromTemplate(trayMenuTemplate(state, controller, actions)),
    );
    tray.setToolTip(trayTooltip(state, controller.stats));
  };
  render();
  tray.on("click", () => actions.openDashboard());

  controller.on("state", (next) => {
    state = next;
    const nextStatus = trayStatus(next);
    if (nextStatus !== status) {
      status = nextStatus;
      tray.setImage(nativeImage.createFromPath(paths.trayIcons[status]));
    }
    render();
  });
  controller.on("stats", (stats) => tray.setToolTip(trayTooltip(state, stats)));
  return tray;
}
