/**
 * Paths of the app's files, relative to the app folder. That folder, from
 * `app.getAppPath()`, is the project folder in development and
 * `resources/app.asar` once packaged. The packaging test checks that each
 * file is inside the package.
 */
import { join } from "node:path";

import type { TrayStatus } from "../shared/app-state.js";

/** Files that main loads. */
export interface AppPaths {
  root: string;
  /** The dashboard page that the window loads. */
  page: string;
  /** The preload script, CommonJS because sandboxed preloads cannot be modules. */
  preload: string;
  /** Entry point of the engine process. */
  engineHost: string;
  appIcon: string;
  /** Tray icon of each state; Electron picks the @2x file beside it itself. */
  trayIcons: Record<TrayStatus, string>;
}

export const TRAY_STATUSES: readonly TrayStatus[] = [
  "protected",
  "unprotected",
  "failing",
];

/**
 * Returns the paths of the app's files. On macOS the tray uses template
 * images (black with alpha), which the menu bar tints for light and dark
 * mode.
 */
export function appPaths(root: string, platform: NodeJS.Platform): AppPaths {
  const suffix = platform === "darwin" ? "Template" : "";
  const trayIcon = (status: TrayStatus) =>
    join(root, "assets", `tray-${status}${suffix}.png`);
  return {
    root,
    page: join(root, "dist", "renderer", "index.html"),
    preload: join(root, "dist", "preload.cjs"),
    engineHost: join(root, "dist", "engine-host.js"),
    appIcon: join(root, "assets", "icon.png"),
    trayIcons: {
      protected: trayIcon("protected"),
      unprotected: trayIcon("unprotected"),
      failing: trayIcon("failing"),
    },
  };
}
