/**
 * The real app, launched by Playwright's Electron support. It needs the
 * Electron binary, which the electron package downloads from GitHub on first
 * use. Where it is missing (an offline build machine), the suite reports
 * itself as skipped.
 *
 * NOTE: on Linux Electron also needs a display. Nothing here starts one, so
 * run the suite under xvfb-run on a machine without a desktop.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  _electron as electron,
  type ElectronApplication,
} from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";

import { sendCommand } from "../support/http.js";
import { startTestNode, type TestIotaNode } from "../support/iota-node.js";
import { PROJECT_ROOT } from "../support/paths.js";

function electronBinary(): string | undefined {
  const dist =
    process.env.ELECTRON_OVERRIDE_DIST_PATH ??
    join(PROJECT_ROOT, "node_modules", "electron", "dist");
  const name =
    process.platform === "darwin"
      ? "Electron.app/Contents/MacOS/Electron"
      : process.platform === "win32"
        ? "electron.exe"
        : "electron";
  const path = join(dist, name);
  return existsSync(path) ? path : undefined;
}

const BINARY = electronBinary();
const SKIP_REASON =
  "skipped: no Electron binary in node_modules/electron/dist (it downloads on first use, which needs GitHub)";
if (!BINARY) console.log(`Electron end-to-end suite ${SKIP_REASON}`);

let app: ElectronApplication | undefined;
let node: TestIotaNode | undefined;
let userData: string | undefined;

afterEach(async () => {
  await app?.close();
  await node?.stop();
  if (userData) rmSync(userData, { recursive: true, force: true });
  app = undefined;
  node = undefined;
});

describe.skipIf(!BINARY)(
  `Electron app (${BINARY ? "real binary" : SKIP_REASON})`,
  () => {
    it("protection switch changes what is forwarded", async () => {
      node = await startTestNode();
      userData = mkdtempSync(join(tmpdir(), "node-shield-e2e-"));
      writeFileSync(
        join(userData, "settings.json"),
        JSON.stringify({
          listen: { host: "127.0.0.1", port: 0 },
          upstream: { url: node.url },
        }),
      );
      app = await electron.launch({
        executablePath: BINARY,
        args: [PROJECT_ROOT, "--open-dashboard"],
        env: {
          ...process.env,
          NODE_SHIELD_USER_DATA: userData,
          NODE_SHIELD_LOG_LEVEL: "warn",
        },
      });
      const page = await app.firstWindow();
      await expect
        .poll(() => page.locator(".status-text").textContent())
        .toBe("Protected");
      const listening = await page.locator(".facts dd").first().textContent();
      const port = Number(new URL(listening ?? "").port);

      expect(
        (await sendCommand(port, "addNeighbors", { from: "127.0.0.2" })).status,
      ).toBe(403);
      await page
        .getByRole("checkbox", { name: "Protection", exact: true })
        .click();
      await expect
        .poll(() => page.locator(".status-text").textContent())
        .toBe("Unprotected: every request is forwarded");
      expect(
        (await sendCommand(port, "addNeighbors", { from: "127.0.0.2" })).status,
      ).toBe(200);
      expect(node.commands).toContain("addNeighbors");

      const shieldKeys = await page.evaluate(
        () => Object.keys(window.shield).length,
      );
      expect(shieldKeys).toBeGreaterThan(0);
      const nodeGlobals = await page.evaluate(
        () => typeof (window as { require?: unknown }).require,
      );
      expect(nodeGlobals).toBe("undefined");
    });
  },
);
