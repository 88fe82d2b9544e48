/**
 * "Start at login". Electron's login item settings work on macOS and
 * Windows only. On Linux the app writes an XDG autostart entry instead,
 * which desktop environments that follow the freedesktop.org Desktop
 * Application Autostart Specification read at login.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

import { app } from "electron";

import type { LoginItem } from "./app-controller.js";

/** Returns the login item of the current platform. */
export function systemLoginItem(): LoginItem {
  if (process.platform !== "linux") {
    return {
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
    };
  }
  const configHome = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return xdgAutostart(
    join(configHome, "autostart"),
    // An AppImage runs from a temporary mount; APPIMAGE is the file itself.
    process.env.APPIMAGE ?? process.execPath,
  );
}

/** Returns a login item backed by an autostart `.desktop` file in `directory`. */
export function xdgAutostart(directory: string, executable: string): LoginItem {
  const file = join(directory, "node-shield.desktop");
  return {
    get: () => existsSync(file),
    set: (enabled) => {
      if (!enabled) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(directory, { recursive: true });
      const quoted = `"${executable.replace(/(["`$\\])/g, "\\$1")}"`;
      writeFileSync(
        file,
        [
          "[Desktop Entry]",
          "Type=Application",
          "Name=Node Shield",
          `Exec=${quoted}`,
          "X-GNOME-Autostart-enabled=true",
          "",
        ].join("\n"),
      );
    },
  };
}
