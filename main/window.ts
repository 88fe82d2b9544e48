/**
 * The dashboard window and the rules every web page of the app runs under:
 * isolated, sandboxed, no Node, no navigation, no new windows and no
 * permissions.
 */
import { normalize } from "node:path";
import { fileURLToPath } from "node:url";

import {
  app,
  BrowserWindow,
  session,
  type BrowserWindowConstructorOptions,
  type IpcMainInvokeEvent,
} from "electron";

import type { Logger } from "../shared/logger.js";
import type { AppPaths } from "./paths.js";

/** Options of the dashboard window. */
export function dashboardWindowOptions(
  paths: AppPaths,
): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 800,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: "Node Shield",
    icon: paths.appIcon,
    autoHideMenuBar: true,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** The dashboard: one window, created on first use and hidden on close. */
export class DashboardWindow {
  readonly #paths: AppPaths;
  readonly #log: Logger;
  #window: BrowserWindow | undefined;
  #quitting = false;

  constructor(paths: AppPaths, logger: Logger) {
    this.#paths = paths;
    this.#log = logger.child({ module: "window" });
    app.on("before-quit", () => {
      this.#quitting = true;
    });
  }

  /** The window, if it has been created. */
  get window(): BrowserWindow | undefined {
    return this.#window;
  }

  /** Shows the dashboard, creating it if needed. */
  show(): void {
    const window = this.#window ?? this.#create();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  /** Whether an IPC message comes from the dashboard's own page. */
  isTrustedSender = (event: IpcMainInvokeEvent): boolean => {
    const window = this.#window;
    if (!window || window.isDestroyed()) return false;
    if (event.sender.id !== window.webContents.id) return false;
    const frame = event.senderFrame;
    if (frame === null || frame !== event.sender.mainFrame) return false;
    return isFileUrlOf(frame.url, this.#paths.page);
  };

  #create(): BrowserWindow {
    const window = new BrowserWindow(dashboardWindowOptions(this.#paths));
    this.#window = window;
    window.on("close", (event) => {
      // The app lives in the tray: closing the window only hides it.
      if (!this.#quitting) {
        event.preventDefault();
        window.hide();
      }
    });
    window.on("closed", () => {
      this.#window = undefined;
    });
    window.webContents.on("render-process-gone", (_event, details) =>
      this.#log.error({ reason: details.reason }, "the dashboard page crashed"),
    );
    void window
      .loadFile(this.#paths.page)
      .catch((error: unknown) =>
        this.#log.error(
          { err: String(error), page: this.#paths.page },
          "failed to load the dashboard page",
        ),
      );
    return window;
  }
}

/** Returns whether `url` is the file URL of `path`, however it is escaped. */
function isFileUrlOf(url: string, path: string): boolean {
  try {
    return fileURLToPath(url) === normalize(path);
  } catch {
    // Not a file: URL, or one with a host.
    return false;
  }
}

/**
 * Locks down every web contents the app creates: `window.open` is denied,
 * navigations, redirects and webviews are blocked, and permission requests
 * (camera, notifications, …) are rejected.
 */
export function lockDownWebContents(logger: Logger): void {
  const log = logger.child({ module: "window" });
  app.on("web-contents-created", (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      log.warn({ url }, "blocked a new window");
      return { action: "deny" };
    });
    contents.on("will-navigate", (event, url) => {
      event.preventDefault();
      log.warn({ url }, "blocked a navigation");
    });
    contents.on("will-redirect", (event) => event.preventDefault());
    contents.on("will-attach-webview", (event) => event.preventDefault());
  });
  session.defaultSession.setPermissionRequestHandler(
    (_contents, _permission, callback) => callback(false),
  );
}
