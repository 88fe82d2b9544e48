import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { xdgAutostart } from "../../main/login-item.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "node-shield-autostart-"));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe("xdgAutostart", () => {
  it("writes and removes the desktop entry", () => {
    const autostart = join(directory, "autostart");
    const item = xdgAutostart(autostart, "/opt/Node Shield/node-shield");
    expect(item.get()).toBe(false);

    item.set(true);
    const file = join(autostart, "node-shield.desktop");
    expect(item.get()).toBe(true);
    const entry = readFileSync(file, "utf8");
    expect(entry).toContain("[Desktop Entry]\nType=Application\n");
    expect(entry).toContain('Exec="/opt/Node Shield/node-shield"\n');

    item.set(false);
    expect(existsSync(file)).toBe(false);
    expect(item.get()).toBe(false);
  });

  it("quotes characters the Exec key reserves", () => {
    const item = xdgAutostart(directory, '/tmp/a"b$c');
    item.set(true);
    const entry = readFileSync(join(directory, "node-shield.desktop"), "utf8");
    expect(entry).toContain('Exec="/tmp/a\\"b\\$c"');
  });
});
