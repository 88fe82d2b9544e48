import { afterEach, describe, expect, it } from "vitest";

import { sendCommand, startProxy, type ProxyFixture } from "../support/http.js";

let fixture: ProxyFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe("engine smoke", () => {
  it("forwards getNodeInfo from localhost", async () => {
    fixture = await startProxy();
    const reply = await sendCommand(fixture.port, "getNodeInfo");
    expect(reply.status).toBe(200);
    expect((reply.json as { appName: string }).appName).toBe("HORNET");
    expect(fixture.node.commands).toEqual(["getNodeInfo"]);
  });

  it("rejects a remote client outside the whitelist", async () => {
    fixture = await startProxy();
    const reply = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
    });
    expect(reply.status).toBe(403);
    expect(fixture.node.received).toHaveLength(0);
  });
});
