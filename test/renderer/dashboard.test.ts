import { existsSync } from "node:fs";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";

import { afterEach, describe, expect, it, vi } from "vitest";

import { basic, HORNET_AUTH, sendCommand } from "../support/http.js";
import {
  openDashboard,
  waitFor,
  type DashboardFixture,
} from "./support/dashboard.js";

vi.mock("electron", () => import("../support/fake-electron.js"));

const HAS_CHROMIUM = existsSync("/usr/bin/chromium");
let fixture: DashboardFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function open(options: Parameters<typeof openDashboard>[0] = {}) {
  fixture = await openDashboard(options);
  return fixture;
}

describe.skipIf(!HAS_CHROMIUM)(
  "dashboard in Chromium",
  { timeout: 60_000 },
  () => {
    it("protection switch changes what is forwarded", async () => {
      const { page, proxyPort, proxied, storedSettings, screenshot } =
        await open();
      await expect
        .poll(() => page.locator(".status-text").textContent())
        .toBe("Protected");
      await expect
        .poll(() => page.getByText(`http://127.0.0.1:${proxyPort()}`).count())
        .toBe(1);
      await expect
        .poll(() => page.locator(".node-status").textContent())
        .toBe("(answers: HORNET 1.2.1)");

      const before = await sendCommand(proxyPort(), "addNeighbors", {
        from: "127.0.0.2",
      });
      expect(before.status).toBe(403);
      expect(proxied()).toEqual([]);

      await page
        .getByRole("checkbox", { name: "Protection", exact: true })
        .click();
      await expect
        .poll(() => page.locator(".status-text").textContent())
        .toBe("Unprotected: every request is forwarded");
      expect(storedSettings().protection?.enabled).toBe(false);
      await screenshot("status-unprotected");

      const off = await sendCommand(proxyPort(), "addNeighbors", {
        from: "127.0.0.2",
      });
      expect(off.status).toBe(200);
      expect(proxied()).toEqual(["addNeighbors"]);

      await page
        .getByRole("checkbox", { name: "Protection", exact: true })
        .click();
      await expect
        .poll(() => page.locator(".status-text").textContent())
        .toBe("Protected");
      const on = await sendCommand(proxyPort(), "addNeighbors", {
        from: "127.0.0.2",
      });
      expect(on.status).toBe(403);
      expect(proxied()).toEqual(["addNeighbors"]);
    });

    it("numbers come from real requests", async () => {
      const { page, proxyPort, proxied, screenshot } = await open();
      for (let i = 0; i < 3; i++)
        expect((await sendCommand(proxyPort(), "getNodeInfo")).status).toBe(
          200,
        );
      for (const from of ["127.0.0.2", "127.0.0.2", "127.0.0.4"])
        expect(
          (await sendCommand(proxyPort(), "getNodeInfo", { from })).status,
        ).toBe(403);
      expect(proxied()).toEqual(["getNodeInfo", "getNodeInfo", "getNodeInfo"]);

      const tile = (label: string) =>
        page.getByLabel(label, { exact: true }).locator(".value").textContent();
      await expect.poll(() => tile("Requests")).toBe("6");
      expect(await tile("Forwarded")).toBe("3");
      expect(await tile("Rejected")).toBe("3");
      expect(
        await page.locator('[data-outcome="notWhitelisted"]').textContent(),
      ).toBe("3");
      expect(
        await page.locator('[data-outcome="forwarded-2xx"]').textContent(),
      ).toBe("3");
      const measured = page
        .getByRole("table", { name: "Upstream latency" })
        .locator("td")
        .first();
      expect(await measured.textContent()).toBe("3");
      await screenshot("overview");

      await page.getByRole("tab", { name: "Clients" }).click();
      const row = page.locator('tr[data-address="127.0.0.2"]');
      await expect.poll(() => row.locator("td").nth(1).textContent()).toBe("2");
      expect(await row.locator("td").nth(2).textContent()).toBe(
        "Not whitelisted 2",
      );
      const rejections = page.getByRole("table", { name: "Recent rejections" });
      expect(await rejections.locator("tbody tr").count()).toBe(3);
      expect(
        await rejections.locator("tbody tr").first().textContent(),
      ).toContain("127.0.0.4");
      await screenshot("clients");

      await row.getByRole("button", { name: "Allow" }).click();
      await expect
        .poll(() => page.getByRole("status").textContent())
        .toBe("Allowed 127.0.0.2.");
      const allowed = await sendCommand(proxyPort(), "getNodeInfo", {
        from: "127.0.0.2",
      });
      expect(allowed.status).toBe(200);
      expect(proxied()).toHaveLength(4);

      await expect
        .poll(() => row.getByRole("button", { name: "Allow" }).count())
        .toBe(0);
      await row.getByRole("button", { name: "Block for an hour" }).click();
      await expect
        .poll(
          async () =>
            (
              await sendCommand(proxyPort(), "getNodeInfo", {
                from: "127.0.0.2",
              })
            ).status,
        )
        .toBe(403);
      const blocked = await sendCommand(proxyPort(), "getNodeInfo", {
        from: "127.0.0.2",
      });
      expect(blocked.json).toEqual({
        error: "this address is blocked by the node's owner",
      });
      expect(proxied()).toHaveLength(4);
      await expect.poll(() => row.textContent()).toContain("blocked until");

      await row.getByRole("button", { name: "Unblock" }).click();
      await expect
        .poll(
          async () =>
            (
              await sendCommand(proxyPort(), "getNodeInfo", {
                from: "127.0.0.2",
              })
            ).status,
        )
        .toBe(200);
    });

    it("errors show at the field", async () => {
      const { page, proxyPort, storedSettings, screenshot } = await open();
      await page.getByRole("tab", { name: "Protections" }).click();

      const whitelist = page.getByRole("region", { name: "Whitelist" });
      await whitelist.getByLabel("Address or range").fill("010.0.0.1");
      await expect
        .poll(() => whitelist.getByRole("alert").textContent())
        .toContain("010.0.0.1 is not an IPv4 address in dotted decimal form");
      expect(
        await whitelist.getByRole("button", { name: "Add" }).isDisabled(),
      ).toBe(true);
      await whitelist.getByLabel("Address or range").fill("192.168.1.7/24");
      await expect
        .poll(() => whitelist.getByRole("alert").textContent())
        .toContain("Did you mean 192.168.1.0/24?");
      await whitelist.getByLabel("Address or range").fill("127.0.0.5");
      await whitelist.getByRole("button", { name: "Add" }).click();
      await expect
        .poll(() => whitelist.getByRole("list").textContent())
        .toContain("127.0.0.5");
      expect(storedSettings().whitelist?.addresses).toEqual(["127.0.0.5"]);
      expect(
        (await sendCommand(proxyPort(), "getNodeInfo", { from: "127.0.0.5" }))
          .status,
      ).toBe(200);

      const rate = page.getByRole("region", { name: "Rate limit" });
      await rate.getByLabel("Burst").fill("0");
      await rate.getByRole("button", { name: "Save rate limit" }).click();
      await expect
        .poll(() => rate.getByRole("alert").textContent())
        .toContain("rateLimit.burst: 0 is less than the minimum of 1");
      expect(storedSettings().rateLimit?.burst).toBe(1000);

      const auth = page.getByRole("region", { name: "Authentication" });
      await auth.getByLabel("Password", { exact: true }).fill("first password");
      await auth.getByLabel("Confirm password").fill("other password");
      await auth.getByRole("button", { name: "Set password" }).click();
      await expect
        .poll(() => auth.getByRole("alert").first().textContent())
        .toContain("The confirmation does not match the password");
      await screenshot("protections-errors");

      await auth.getByLabel("Password", { exact: true }).fill("first password");
      await auth.getByLabel("Confirm password").fill("first password");
      await auth.getByRole("button", { name: "Set password" }).click();
      await expect
        .poll(() => auth.getByRole("status").textContent())
        .toBe("Password saved. Authentication is on.");
      expect(await auth.getByLabel("New password").inputValue()).toBe("");
      expect(await auth.getByLabel("Confirm password").inputValue()).toBe("");
      expect(await auth.textContent()).toContain(
        "A password is set for admin (scrypt)",
      );
      const without = await sendCommand(proxyPort(), "getNodeInfo");
      const withCredentials = await sendCommand(proxyPort(), "getNodeInfo", {
        headers: { authorization: basic("admin", "first password") },
      });
      expect(without.status).toBe(401);
      expect(withCredentials.status).toBe(200);
      expect(JSON.stringify(storedSettings())).not.toContain("first password");
      expect(await page.content()).not.toContain(
        String(storedSettings().basicAuth?.passwordHash),
      );
      await screenshot("protections");
    });

    it("Hornet block and local network apply", async () => {
      const { page, proxyPort, storedSettings } = await open();
      await page.getByRole("tab", { name: "Protections" }).click();

      const auth = page.getByRole("region", { name: "Authentication" });
      await auth.getByText("Paste a Hornet basicAuth block").click();
      await auth
        .getByLabel("Hornet basicAuth block")
        .fill(`"basicAuth": ${JSON.stringify(HORNET_AUTH)}`);
      await auth.getByRole("button", { name: "Import block" }).click();
      await expect
        .poll(() => auth.getByRole("status").textContent())
        .toBe("Hornet block imported. Authentication is on.");
      expect(await auth.textContent()).toContain(
        "A password is set for admin (Hornet SHA-256)",
      );
      const without = await sendCommand(proxyPort(), "getNodeInfo");
      const wrong = await sendCommand(proxyPort(), "getNodeInfo", {
        headers: { authorization: basic("admin", "iotb") },
      });
      const right = await sendCommand(proxyPort(), "getNodeInfo", {
        headers: { authorization: basic("admin", "iota") },
      });
      expect(without.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(right.status).toBe(200);

      const whitelist = page.getByRole("region", { name: "Whitelist" });
      await whitelist
        .getByRole("button", { name: "Allow my local network" })
        .click();
      await expect
        .poll(() => whitelist.getByRole("list").textContent())
        .toContain("192.168.178.0/24");
      expect(storedSettings().whitelist?.addresses).toEqual([
        "192.168.178.0/24",
      ]);
      await whitelist
        .getByRole("button", { name: "Remove 192.168.178.0/24" })
        .click();
      await expect
        .poll(() => whitelist.getByRole("list").textContent())
        .toContain("No entries");
    });

    it("changes made elsewhere reach the page", async () => {
      const { page, controller } = await open();
      await page.getByRole("tab", { name: "Protections" }).click();
      const rate = page.getByRole("region", { name: "Rate limit" });
      expect(await rate.getByLabel("Burst").inputValue()).toBe("1000");

      // As the tray menu does it.
      await controller.setSectionEnabled("rateLimit", false);
      await controller.updateSettings({ rateLimit: { burst: 42 } });
      await expect.poll(() => rate.getByLabel("Burst").inputValue()).toBe("42");
      expect(
        await rate.getByRole("checkbox", { name: "Rate limit on" }).isChecked(),
      ).toBe(false);
    });

    it("port in use names the port", async () => {
      const { page, proxyPort, storedSettings } = await open();
      const other = createServer().listen(0, "127.0.0.1");
      await once(other, "listening");
      const taken = (other.address() as AddressInfo).port;
      try {
        await page.getByRole("tab", { name: "Protections" }).click();
        const connection = page.getByRole("region", { name: "Connection" });
        await connection.getByLabel("Listen port").fill(String(taken));
        await connection
          .getByRole("button", { name: "Save connection" })
          .click();
        await expect
          .poll(() => connection.getByRole("alert").textContent())
          .toContain(
            `cannot listen on 127.0.0.1:${taken}: the port is already in use`,
          );
        expect(storedSettings().listen?.port).toBe(0);
        expect((await sendCommand(proxyPort(), "getNodeInfo")).status).toBe(
          200,
        );
      } finally {
        other.close();
      }
    });

    it("engine crash is shown and the engine restarts", async () => {
      const { page, engines, supervisor, proxyPort, screenshot } = await open({
        maxCrashes: 2,
      });
      await expect
        .poll(() => page.locator(".status-text").textContent())
        .toBe("Protected");

      engines.crashLatest();
      await expect
        .poll(() => page.locator(".engine-error").textContent())
        .toContain("The engine process was killed. Restarting (crash 1)");
      await expect
        .poll(() => page.locator(".status-text").textContent())
        .toBe("Protected");
      expect((await sendCommand(proxyPort(), "getNodeInfo")).status).toBe(200);

      engines.crashLatest();
      await expect
        .poll(() => page.locator(".engine-error").textContent(), {
          timeout: 10_000,
        })
        .toContain("stopped restarting it");
      expect(await page.locator(".status-text").textContent()).toBe(
        "The engine is stopped",
      );
      await screenshot("engine-failed");

      await page.getByRole("button", { name: "Restart the engine" }).click();
      await waitFor(
        () => supervisor.status.phase === "running",
        "the restarted engine",
      );
      await expect.poll(() => page.locator(".engine-error").count()).toBe(0);
      expect((await sendCommand(proxyPort(), "getNodeInfo")).status).toBe(200);
    });

    it("recovered settings file is reported", async () => {
      const { page, storedSettings, screenshot } = await open({
        settings: { whitelist: { addresses: ["10.9.8.0/24"] } },
        corruptSettingsFile: '{"whitelist": {"addresses": ["10.9.',
      });
      const notice = page.locator(".notice");
      await expect
        .poll(() => notice.textContent())
        .toContain("The settings file could not be used: it is not valid JSON");
      expect(await notice.textContent()).toContain(
        "started on the previous valid settings",
      );
      expect(storedSettings().whitelist?.addresses).toEqual(["10.9.8.0/24"]);
      await screenshot("settings-recovered");

      await notice.getByRole("button", { name: "Dismiss" }).click();
      await expect.poll(() => notice.count()).toBe(0);
    });
  },
);
