/**
 * Pushes the app's state and the live stats to the dashboard page.
 */
import type { AppController } from "./app-controller.js";
import { sendEvent } from "./ipc.js";
import type { DashboardWindow } from "./window.js";

/** Sends every state change, and stats while the window is visible. */
export function forwardEventsToDashboard(
  controller: AppController,
  dashboard: DashboardWindow,
): void {
  controller.on("state", (state) => {
    const window = dashboard.window;
    if (window) sendEvent(window.webContents, "app:state-changed", state);
  });
  // A hidden window gets no stats, because its page shows nothing.
  controller.on("stats", (stats) => {
    const window = dashboard.window;
    if (window?.isVisible())
      sendEvent(window.webContents, "stats:snapshot", stats);
  });
}
