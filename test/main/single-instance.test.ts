import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it, vi } from "vitest";

import { app, fake, resetFake } from "../support/fake-electron.js";
import { DIST, PROJECT_ROOT } from "../support/paths.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

const userData = mkdtempSync(join(tmpdir(), "node-shield-second-"));
afterAll(() => rmSync(userData, { recursive: true, force: true }));

describe("second instance", () => {
  it("quits without a tray or an engine", async () => {
    resetFake();
    fake.appPath = PROJECT_ROOT;
    fake.userData = userData;
    fake.singleInstance = false;
    process.env.NODE_SHIELD_LOG_LEVEL = "silent";
    await import(`${DIST}main.js`);
    app.fireReady();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(fake.quitCalls).toBe(1);
    expect(fake.trays).toEqual([]);
    expect(fake.forks).toEqual([]);
    expect(fake.handlers.size).toBe(0);
  });
});
