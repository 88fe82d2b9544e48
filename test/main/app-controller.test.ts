import { readFileSync } from "node:fs";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { hashScrypt } from "../../main/proxy/passwords.js";
import { localNetworkRanges } from "../../main/settings-changes.js";
import { SETTINGS_FILE } from "../../main/settings-store.js";
import type { ChangeResult } from "../../shared/app-state.js";
import type { Settings } from "../../shared/settings.js";
import {
  createControllerFixture,
  type ControllerFixture,
} from "../support/controller.js";
import { HORNET_AUTH } from "../support/http.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

let fixture: ControllerFixture;

beforeEach(async () => {
  fixture = createControllerFixture();
  await new Promise((resolve) => setTimeout(resolve, 0));
});
afterEach(() => fixture.cleanUp());

function storedFile(): string {
  return readFileSync(join(fixture.directory, SETTINGS_FILE), "utf8");
}

function stored(): Settings {
  return JSON.parse(storedFile()) as Settings;
}

function lastSentSettings(): Settings | undefined {
  const commands = fixture.engines.at(-1)?.commands ?? [];
  for (const command of [...commands].reverse()) {
    if (command.type === "update" || command.type === "start")
      return command.settings;
  }
  return undefined;
}

function issuePaths(result: ChangeResult): string[] {
  return result.ok ? [] : result.issues.map((issue) => issue.path);
}

describe("AppController", () => {
  it("starts the engine on the stored settings", () => {
    expect(fixture.controller.state().engine.phase).toBe("running");
    expect(lastSentSettings()).toEqual(stored());
  });

  it("set password hashes with scrypt and keeps it in main", async () => {
    const password = "correct horse battery";
    const result = await fixture.controller.setPassword(
      "owner",
      password,
      password,
    );
    expect(result.ok).toBe(true);

    const auth = stored().basicAuth;
    expect(auth).toMatchObject({
      enabled: true,
      username: "owner",
      scheme: "scrypt",
    });
    const expected = await hashScrypt(password, auth.passwordSalt);
    expect(auth.passwordHash).toBe(expected.toString("hex"));
    expect(storedFile()).not.toContain(password);
    expect(lastSentSettings()?.basicAuth.passwordHash).toBe(auth.passwordHash);

    const state = JSON.stringify(fixture.controller.state());
    expect(state).not.toContain(password);
    expect(state).not.toContain(auth.passwordHash);
    expect(state).not.toContain(auth.passwordSalt);
    expect(fixture.controller.state().settings.basicAuth.passwordSet).toBe(
      true,
    );
  });

  it("set password rejects a mismatch", async () => {
    const result = await fixture.controller.setPassword(
      "owner",
      "long enough 1",
      "long enough 2",
    );
    expect(issuePaths(result)).toEqual(["confirmation"]);
    expect(stored().basicAuth.passwordHash).toBe("");
  });

  it("set password rejects a short password", async () => {
    const result = await fixture.controller.setPassword(
      "owner",
      "short",
      "short",
    );
    expect(issuePaths(result)).toEqual(["password"]);
  });

  it("set password rejects a username with a colon", async () => {
    const result = await fixture.controller.setPassword(
      "own:er",
      "long enough password",
      "long enough password",
    );
    expect(issuePaths(result)).toEqual(["basicAuth.username"]);
    expect(stored().basicAuth.enabled).toBe(false);
  });

  it.each([
    ["the block", JSON.stringify(HORNET_AUTH)],
    ["a config.json line", `"basicAuth": ${JSON.stringify(HORNET_AUTH)}`],
    [
      "the httpAPI section",
      JSON.stringify({
        httpAPI: { bindAddress: "0.0.0.0:14265", basicAuth: HORNET_AUTH },
      }),
    ],
  ])("imports a Hornet block from %s", async (_name, text) => {
    const result = await fixture.controller.importHornetAuth(text);
    expect(result.ok).toBe(true);
    expect(stored().basicAuth).toEqual({ ...HORNET_AUTH, scheme: "sha256" });
  });

  it("Hornet import rejects other text", async () => {
    for (const text of [
      "admin:iota",
      "{}",
      '{"basicAuth": {"passwordHash": 5}}',
    ]) {
      const result = await fixture.controller.importHornetAuth(text);
      expect(result.ok, text).toBe(false);
      expect(issuePaths(result)[0], text).toMatch(/^basicAuth/);
    }
    expect(stored().basicAuth.passwordHash).toBe("");
  });

  it("whitelist add stores the canonical entry once", async () => {
    await fixture.controller.addWhitelistEntry(" 192.168.1.20 ");
    await fixture.controller.addWhitelistEntry("192.168.1.20");
    await fixture.controller.addWhitelistEntry("2001:DB8::/32");
    expect(stored().whitelist.addresses).toEqual([
      "192.168.1.20",
      "2001:db8::/32",
    ]);
    expect(lastSentSettings()?.whitelist.addresses).toEqual(
      stored().whitelist.addresses,
    );
  });

  it("whitelist add rejects an odd entry with the reason", async () => {
    for (const entry of [
      "010.0.0.1",
      "192.168.1.7/24",
      "example.org",
      "10.0.0.0/33",
    ]) {
      const result = await fixture.controller.addWhitelistEntry(entry);
      expect(result.ok, entry).toBe(false);
      expect(issuePaths(result), entry).toEqual(["whitelist.addresses"]);
      expect(result.ok ? "" : result.message, entry).toContain(entry);
    }
    expect(stored().whitelist.addresses).toEqual([]);
  });

  it("whitelist remove drops the entry", async () => {
    await fixture.controller.addWhitelistEntry("10.1.0.0/16");
    await fixture.controller.addWhitelistEntry("10.2.0.1");
    await fixture.controller.removeWhitelistEntry("10.1.0.0/16");
    expect(stored().whitelist.addresses).toEqual(["10.2.0.1"]);
  });

  it("allow my local network adds the LAN range", async () => {
    const result = await fixture.controller.addLocalNetwork();
    expect(result.ok).toBe(true);
    expect(stored().whitelist.addresses).toEqual(["192.168.178.0/24"]);
  });

  it("local network ranges come from the interfaces", () => {
    const ranges = localNetworkRanges({
      lo: [
        {
          address: "127.0.0.1",
          netmask: "255.0.0.0",
          family: "IPv4",
          mac: "",
          internal: true,
          cidr: "127.0.0.1/8",
        },
      ],
      eth0: [
        {
          address: "192.168.1.37",
          netmask: "255.255.255.0",
          family: "IPv4",
          mac: "",
          internal: false,
          cidr: "192.168.1.37/24",
        },
        {
          address: "fe80::1",
          netmask: "ffff:ffff:ffff:ffff::",
          family: "IPv6",
          mac: "",
          internal: false,
          cidr: "fe80::1/64",
          scopeid: 2,
        },
      ],
      wg0: [
        {
          address: "10.8.0.2",
          netmask: "255.255.255.255",
          family: "IPv4",
          mac: "",
          internal: false,
          cidr: "10.8.0.2/32",
        },
      ],
    });
    expect(ranges).toEqual(["192.168.1.0/24"]);
  });

  it("invalid value names the field and changes nothing", async () => {
    const before = storedFile();
    const updates = fixture.engines[0]?.commands.length;
    const result = await fixture.controller.updateSettings({
      rateLimit: { requestsPerSecond: 10, burst: 0 },
    });
    expect(issuePaths(result)).toEqual(["rateLimit.burst"]);
    expect(storedFile()).toBe(before);
    expect(fixture.engines[0]?.commands.length).toBe(updates);
  });

  it("engine rejection names the port and is not saved", async () => {
    const engine = fixture.engines[0];
    if (!engine) throw new Error("no engine");
    engine.rejectNextUpdate =
      "cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need administrator rights)";
    const result = await fixture.controller.updateSettings({
      listen: { port: 80 },
    });
    expect(issuePaths(result)).toEqual(["listen.port"]);
    expect(result.ok ? "" : result.message).toContain("0.0.0.0:80");
    expect(stored().listen.port).toBe(14266);
    expect(fixture.controller.settings.listen.port).toBe(14266);
  });

  it("protection switch reaches the engine and the store", async () => {
    const states: boolean[] = [];
    fixture.controller.on("state", (state) =>
      states.push(state.settings.protection.enabled),
    );
    await fixture.controller.setProtection(false);
    expect(stored().protection.enabled).toBe(false);
    expect(lastSentSettings()?.protection.enabled).toBe(false);
    expect(states.at(-1)).toBe(false);
  });

  it("block and unblock reach the engine", () => {
    expect(fixture.controller.blockClient("127.0.0.2", 3600).ok).toBe(true);
    expect(fixture.controller.unblockClient("127.0.0.2").ok).toBe(true);
    expect(fixture.controller.blockClient("not an address", 3600).ok).toBe(
      false,
    );
    expect(fixture.engines[0]?.commands.slice(-2)).toEqual([
      { type: "block", address: "127.0.0.2", seconds: 3600 },
      { type: "unblock", address: "127.0.0.2" },
    ]);
  });

  it("start at login follows the switch", () => {
    expect(fixture.controller.setOpenAtLogin(true).ok).toBe(true);
    expect(fixture.loginItem.enabled).toBe(true);
    expect(fixture.controller.state().openAtLogin).toBe(true);
  });

  it("notices can be dismissed", () => {
    fixture.controller.notify({
      id: "a",
      level: "warning",
      message: "kept aside",
    });
    expect(fixture.controller.state().notices).toHaveLength(1);
    fixture.controller.dismissNotice("a");
    expect(fixture.controller.state().notices).toEqual([]);
  });

  it("changes while the engine restarts apply at its start", async () => {
    fixture.engines[0]?.crash(1);
    expect(fixture.controller.state().engine.phase).toBe("restarting");
    const result = await fixture.controller.updateSettings({
      rateLimit: { burst: 9 },
    });
    expect(result.ok).toBe(true);
    expect(stored().rateLimit.burst).toBe(9);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(fixture.engines).toHaveLength(2);
    expect(lastSentSettings()?.rateLimit.burst).toBe(9);
  });
});
