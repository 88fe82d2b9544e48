import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createHandlers } from "../../main/ipc-handlers.js";
import { registerIpcHandlers } from "../../main/ipc.js";
import { INVOKE_CHANNELS, requestSchemas } from "../../shared/ipc.js";
import { silentLogger } from "../../shared/logger.js";
import {
  createControllerFixture,
  type ControllerFixture,
} from "../support/controller.js";
import { fake, resetFake } from "../support/fake-electron.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

const OWN_SENDER = { id: 1 };
const trusted = (event: { sender: unknown }) => event.sender === OWN_SENDER;

let fixture: ControllerFixture;
let unregister: () => void;

beforeEach(async () => {
  resetFake();
  fixture = createControllerFixture();
  await new Promise((resolve) => setTimeout(resolve, 0));
  unregister = registerIpcHandlers(
    createHandlers(fixture.controller),
    trusted as never,
    silentLogger(),
  );
});
afterEach(() => {
  unregister();
  fixture.cleanUp();
});

function invoke(
  channel: string,
  payload: unknown,
  sender: unknown = OWN_SENDER,
) {
  const handler = fake.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ sender, senderFrame: { url: "file:///x" } }, payload);
}

/** A valid request for each channel. */
const VALID: Record<(typeof INVOKE_CHANNELS)[number], unknown> = {
  "app:get-state": undefined,
  "app:dismiss-notice": { id: "none" },
  "app:set-open-at-login": { enabled: true },
  "settings:update": { rateLimit: { burst: 7 } },
  "auth:set-password": {
    username: "owner",
    password: "long enough password",
    confirmation: "long enough password",
  },
  "auth:import-hornet": { text: "{}" },
  "whitelist:add": { entry: "10.0.0.1" },
  "whitelist:remove": { entry: "10.0.0.1" },
  "whitelist:add-local-network": undefined,
  "clients:block": { address: "127.0.0.2", seconds: 60 },
  "clients:unblock": { address: "127.0.0.2" },
  "engine:restart": undefined,
};

/** Requests of the wrong shape for each channel. */
const INVALID: Record<(typeof INVOKE_CHANNELS)[number], unknown[]> = {
  "app:get-state": [{}, "state"],
  "app:dismiss-notice": [undefined, { id: 5 }, { id: "a", extra: 1 }],
  "app:set-open-at-login": [{ enabled: "yes" }, true],
  "settings:update": [
    null,
    [],
    { basicAuth: { passwordHash: "00".repeat(32) } },
    { basicAuth: { passwordSalt: "x" } },
    { unknownSection: {} },
    { protection: { enabled: "off" } },
  ],
  "auth:set-password": [
    { username: "a", password: "b" },
    { username: "a", password: 1, confirmation: 1 },
    { username: "a", password: "x".repeat(2000), confirmation: "x" },
  ],
  "auth:import-hornet": [{ text: 5 }, { text: "x".repeat(20_000) }],
  "whitelist:add": [{}, { entry: ["10.0.0.1"] }],
  "whitelist:remove": [{ entry: null }],
  "whitelist:add-local-network": [{ all: true }],
  "clients:block": [
    { address: "127.0.0.2" },
    { address: "127.0.0.2", seconds: -1 },
    { address: "127.0.0.2", seconds: 1.5 },
    { address: "", seconds: 60 },
  ],
  "clients:unblock": [{ address: 1 }],
  "engine:restart": [{ now: true }],
};

describe("IPC handlers", () => {
  it("every contract channel has a handler", () => {
    expect([...fake.handlers.keys()].sort()).toEqual(
      [...INVOKE_CHANNELS].sort(),
    );
    expect(INVOKE_CHANNELS.sort()).toEqual(Object.keys(requestSchemas).sort());
  });

  it("channel names are namespaced kebab case", () => {
    for (const channel of INVOKE_CHANNELS)
      expect(channel).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/);
  });

  it.each(INVOKE_CHANNELS)("%s accepts a valid request", async (channel) => {
    await expect(invoke(channel, VALID[channel])).resolves.toBeDefined();
  });

  it.each(INVOKE_CHANNELS)("%s rejects a foreign sender", async (channel) => {
    const before = JSON.stringify(fixture.controller.settings);
    const commands = fixture.engines[0]?.commands.length;
    await expect(invoke(channel, VALID[channel], { id: 99 })).rejects.toThrow(
      "sender not allowed",
    );
    expect(JSON.stringify(fixture.controller.settings)).toBe(before);
    expect(fixture.engines[0]?.commands.length).toBe(commands);
  });

  it.each(INVOKE_CHANNELS)("%s rejects bad payloads", async (channel) => {
    const before = JSON.stringify(fixture.controller.settings);
    for (const payload of INVALID[channel]) {
      await expect(
        invoke(channel, payload),
        JSON.stringify(payload),
      ).rejects.toThrow(`invalid request on ${channel}`);
    }
    expect(JSON.stringify(fixture.controller.settings)).toBe(before);
  });

  it("rejection names the field, not the value", async () => {
    const secret = "x".repeat(2000);
    const error = await Promise.resolve(
      invoke("auth:set-password", {
        username: "a",
        password: secret,
        confirmation: secret,
      }),
    ).catch((caught: unknown) => caught as Error);
    expect(String(error)).toContain("password");
    expect(String(error)).not.toContain("xxxx");
  });

  it("get-state never carries the password hash", async () => {
    await invoke("auth:set-password", VALID["auth:set-password"]);
    const state = await invoke("app:get-state", undefined);
    const hash = fixture.controller.settings.basicAuth.passwordHash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(state)).not.toContain(hash);
    expect(JSON.stringify(state)).not.toContain("long enough password");
  });
});
