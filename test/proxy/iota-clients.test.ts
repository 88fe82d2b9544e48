/**
 * Real IOTA client libraries from npm talking to the test node through the
 * proxy: the legacy `@iota/core` (which cannot send credentials) and the
 * Chrysalis `@iota/iota.js` client with an Authorization header.
 */
import { composeAPI } from "@iota/core";
import { SingleNodeClient } from "@iota/iota.js";
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";

import { NODE_INFO } from "../support/iota-node.js";
import {
  basic,
  HORNET_AUTH,
  startProxy,
  type ProxyFixture,
} from "../support/http.js";

let fixture: ProxyFixture | undefined;
const originalDispatcher = getGlobalDispatcher();
afterEach(async () => {
  setGlobalDispatcher(originalDispatcher);
  await fixture?.close();
  fixture = undefined;
});

const ADDRESS = "A".repeat(81);

/** Makes the global fetch, which both clients use, connect from another loopback address. */
function connectFrom(localAddress: string): void {
  setGlobalDispatcher(new Agent({ localAddress }));
}

describe("@iota/core through the proxy", () => {
  it("reads node info and balances as a whitelisted client", async () => {
    fixture = await startProxy({ whitelist: { addresses: ["127.0.0.2"] } });
    connectFrom("127.0.0.2");
    const iota = composeAPI({ provider: fixture.url });
    const info = await iota.getNodeInfo();
    const balances = await iota.getBalances([ADDRESS]);
    expect(info.appName).toBe(NODE_INFO.appName);
    expect(info.latestMilestoneIndex).toBe(NODE_INFO.latestMilestoneIndex);
    expect(balances.balances).toEqual([0]);
    expect(fixture.node.commands).toEqual(["getNodeInfo", "getBalances"]);
    expect(
      fixture.node.received.every(
        (request) => request.headers["x-iota-api-version"] === "1",
      ),
    ).toBe(true);
    expect(fixture.engine.snapshot().clients.map((row) => row.address)).toEqual(
      ["127.0.0.2"],
    );
  });

  it("is refused an admin command as a remote client", async () => {
    fixture = await startProxy({ whitelist: { enabled: false } });
    connectFrom("127.0.0.3");
    const iota = composeAPI({ provider: fixture.url });
    expect((await iota.getNodeInfo()).appName).toBe("HORNET");
    // @iota/core reports only the status text of an error response.
    await expect(iota.addNeighbors(["tcp://192.0.2.1:15600"])).rejects.toThrow(
      /Forbidden/,
    );
    expect(fixture.engine.snapshot().recentRejections[0]).toMatchObject({
      reason: "commandNotAllowed",
      target: "addNeighbors",
    });
    expect(fixture.node.commands).toEqual(["getNodeInfo"]);
  });

  it("is stopped by the whitelist", async () => {
    fixture = await startProxy();
    connectFrom("127.0.0.4");
    const iota = composeAPI({ provider: fixture.url });
    await expect(iota.getNodeInfo()).rejects.toThrow(/Forbidden/);
    expect(fixture.engine.snapshot().rejected.notWhitelisted).toBe(1);
    expect(fixture.node.received).toHaveLength(0);
  });
});

describe("@iota/iota.js through the proxy", () => {
  it("reads info, health and tips with credentials", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const client = new SingleNodeClient(fixture.url, {
      headers: { Authorization: basic("admin", "iota") },
    });
    const info = await client.info();
    const healthy = await client.health();
    const tips = await client.tips();
    expect(info.name).toBe("HORNET");
    expect(info.networkId).toBe("chrysalis-mainnet");
    expect(healthy).toBe(true);
    expect(tips.tipMessageIds).toHaveLength(2);
    expect(fixture.node.received.map((request) => request.url)).toEqual([
      "/api/v1/info",
      "/health",
      "/api/v1/tips",
    ]);
  });

  it("is refused without the right credentials", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const client = new SingleNodeClient(fixture.url, {
      headers: { Authorization: basic("admin", "wrong") },
    });
    // The client reports the status text; the JSON body carries the reason.
    await expect(client.info()).rejects.toThrow(/Unauthorized/);
    expect(fixture.engine.snapshot().recentRejections[0]?.reason).toBe(
      "unauthorized",
    );
    expect(fixture.node.received).toHaveLength(0);
  });

  it("is refused peer management from a remote client", async () => {
    fixture = await startProxy({
      basicAuth: HORNET_AUTH,
      whitelist: { enabled: false },
    });
    connectFrom("127.0.0.5");
    const client = new SingleNodeClient(fixture.url, {
      headers: { Authorization: basic("admin", "iota") },
    });
    expect((await client.info()).name).toBe("HORNET");
    await expect(client.peers()).rejects.toThrow(/Forbidden/);
    expect(fixture.engine.snapshot().recentRejections[0]).toMatchObject({
      reason: "commandNotAllowed",
      target: "/api/v1/peers",
    });
    expect(fixture.node.received.map((request) => request.url)).toEqual([
      "/api/v1/info",
    ]);
  });
});
