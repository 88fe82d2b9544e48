import { beforeAll, describe, expect, it, vi } from "vitest";

import type { ShieldApi } from "../../shared/bridge.js";
import { fake, ipcRenderer, resetFake } from "../support/fake-electron.js";
import { DIST } from "../support/paths.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

let shield: ShieldApi;

beforeAll(async () => {
  resetFake();
  await import("../../main/preload/index.js");
  shield = fake.exposed.get("shield") as ShieldApi;
});

describe("preload", () => {
  it("exposes only window.shield", () => {
    expect([...fake.exposed.keys()]).toEqual(["shield"]);
    expect(
      Object.values(shield).every((value) => typeof value === "function"),
    ).toBe(true);
  });

  it("methods invoke their contract channel", async () => {
    await shield.setProtection(false);
    await shield.blockClient("127.0.0.2", 3600);
    await shield.setPassword("owner", "secret one", "secret one");
    expect(fake.rendererInvokes).toEqual([
      {
        channel: "settings:update",
        payload: { protection: { enabled: false } },
      },
      {
        channel: "clients:block",
        payload: { address: "127.0.0.2", seconds: 3600 },
      },
      {
        channel: "auth:set-password",
        payload: {
          username: "owner",
          password: "secret one",
          confirmation: "secret one",
        },
      },
    ]);
  });

  it("subscriptions pass the payload and unsubscribe", () => {
    const seen: number[] = [];
    const unsubscribe = shield.onStats((stats) => seen.push(stats.requests));
    ipcRenderer.emit(
      "stats:snapshot",
      { sender: ipcRenderer },
      { requests: 1 },
    );
    unsubscribe();
    ipcRenderer.emit(
      "stats:snapshot",
      { sender: ipcRenderer },
      { requests: 2 },
    );
    expect(seen).toEqual([1]);
    expect(ipcRenderer.listenerCount("stats:snapshot")).toBe(0);
  });

  it("built preload is CommonJS that requires only electron", async () => {
    const { readFile } = await import("node:fs/promises");
    const code = await readFile(`${DIST}preload.cjs`, "utf8");
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map(
      (match) => match[1],
    );
    expect(new Set(required)).toEqual(new Set(["electron"]));
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toContain("ipcRenderer.sendSync");
  });
});
