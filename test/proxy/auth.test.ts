import { Agent, request, type OutgoingHttpHeaders } from "node:http";

import { afterEach, describe, expect, it } from "vitest";

import { createPasswordRecord } from "../../main/proxy/passwords.js";
import {
  basic,
  HORNET_AUTH,
  send,
  sendCommand,
  startProxy,
  type ProxyFixture,
} from "../support/http.js";

let fixture: ProxyFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const GOOD = basic("admin", "iota");

describe("basic authentication", () => {
  it("forwards a request with valid credentials", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const reply = await sendCommand(fixture.port, "getNodeInfo", {
      headers: { authorization: GOOD },
    });
    expect(reply.status).toBe(200);
    expect(fixture.node.commands).toEqual(["getNodeInfo"]);
  });

  it("answers 401 with a challenge and a JSON error", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const reply = await sendCommand(fixture.port, "getNodeInfo");
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe(
      'Basic realm="Node Shield", charset="UTF-8"',
    );
    expect(reply.headers["content-type"]).toContain("application/json");
    expect(reply.json).toEqual({ error: "authentication required" });
    expect(fixture.node.received).toHaveLength(0);
  });

  it("asks localhost for credentials too", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const reply = await send({ port: fixture.port, path: "/api/v1/info" });
    expect(reply.status).toBe(401);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("asks whitelisted clients for credentials too", async () => {
    fixture = await startProxy({
      basicAuth: HORNET_AUTH,
      whitelist: { addresses: ["127.0.0.2"] },
    });
    const denied = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
    });
    const allowed = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
      headers: { authorization: GOOD },
    });
    expect(denied.status).toBe(401);
    expect(allowed.status).toBe(200);
    expect(fixture.node.commands).toEqual(["getNodeInfo"]);
  });

  it.each([
    ["a wrong password", basic("admin", "iotb")],
    ["a wrong username", basic("Admin", "iota")],
    ["a username with a trailing space", basic("admin ", "iota")],
    ["a longer password", basic("admin", "iotaiota")],
    ["an empty password", basic("admin", "")],
  ])("rejects %s", async (_case, header) => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const reply = await sendCommand(fixture.port, "getNodeInfo", {
      headers: { authorization: header },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toContain("Basic");
    expect(fixture.node.received).toHaveLength(0);
  });

  it("accepts an upper-case Hornet hash", async () => {
    fixture = await startProxy({
      basicAuth: {
        ...HORNET_AUTH,
        passwordHash: HORNET_AUTH.passwordHash.toUpperCase(),
      },
    });
    const reply = await sendCommand(fixture.port, "getNodeInfo", {
      headers: { authorization: GOOD },
    });
    expect(reply.status).toBe(200);
  });

  it("verifies scrypt passwords and caches the verified header", async () => {
    const record = await createPasswordRecord("s3cret pass", "scrypt");
    fixture = await startProxy({
      basicAuth: { enabled: true, username: "owner", ...record },
    });
    const header = basic("owner", "s3cret pass");
    for (let i = 0; i < 3; i++) {
      const reply = await sendCommand(fixture.port, "getNodeInfo", {
        headers: { authorization: header },
      });
      expect(reply.status).toBe(200);
    }
    const wrong = await sendCommand(fixture.port, "getNodeInfo", {
      headers: { authorization: basic("owner", "s3cret pas") },
    });
    expect(wrong.status).toBe(401);
    expect(fixture.engine.snapshot().tables.credentialCache.size).toBe(2);
    expect(fixture.node.commands).toEqual([
      "getNodeInfo",
      "getNodeInfo",
      "getNodeInfo",
    ]);
  });

  it("drops cached credentials when the password changes", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    expect(
      (
        await sendCommand(fixture.port, "getNodeInfo", {
          headers: { authorization: GOOD },
        })
      ).status,
    ).toBe(200);
    const record = await createPasswordRecord("new password", "sha256");
    const result = await fixture.engine.update({
      ...fixture.engine.settings,
      basicAuth: { ...HORNET_AUTH, ...record },
    });
    expect(result.ok).toBe(true);
    expect(
      (
        await sendCommand(fixture.port, "getNodeInfo", {
          headers: { authorization: GOOD },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await sendCommand(fixture.port, "getNodeInfo", {
          headers: { authorization: basic("admin", "new password") },
        })
      ).status,
    ).toBe(200);
  });

  it("rejects two Authorization headers with 400", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    // Node's client sends one header line per array element.
    const headers = {
      authorization: [GOOD, GOOD],
    } as unknown as OutgoingHttpHeaders;
    const reply = await sendCommand(fixture.port, "getNodeInfo", { headers });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ error: "more than one Authorization header" });
    expect(fixture.node.received).toHaveLength(0);
  });
});

describe("lockout", () => {
  const settings = {
    basicAuth: HORNET_AUTH,
    whitelist: { enabled: false },
    rateLimit: { enabled: false },
    lockout: { maxFailures: 3, windowSeconds: 60, durationSeconds: 60 },
  };

  it("locks an address out after repeated failures, even with the right password", async () => {
    fixture = await startProxy(settings);
    for (let i = 0; i < 3; i++) {
      const reply = await sendCommand(fixture.port, "getNodeInfo", {
        from: "127.0.0.2",
        headers: { authorization: basic("admin", `guess${i}`) },
      });
      expect(reply.status).toBe(401);
    }
    const locked = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.2",
      headers: { authorization: GOOD },
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(50);
    expect((locked.json as { error: string }).error).toContain(
      "too many failed authentication attempts",
    );
    expect(fixture.node.received).toHaveLength(0);
  });

  it("does not lock out other addresses", async () => {
    fixture = await startProxy(settings);
    for (let i = 0; i < 3; i++) {
      await sendCommand(fixture.port, "getNodeInfo", {
        from: "127.0.0.2",
        headers: { authorization: basic("admin", "x") },
      });
    }
    const other = await sendCommand(fixture.port, "getNodeInfo", {
      from: "127.0.0.3",
      headers: { authorization: GOOD },
    });
    expect(other.status).toBe(200);
  });

  it("does not count requests without credentials", async () => {
    fixture = await startProxy(settings);
    for (let i = 0; i < 5; i++) {
      expect(
        (await sendCommand(fixture.port, "getNodeInfo", { from: "127.0.0.2" }))
          .status,
      ).toBe(401);
    }
    expect(
      (
        await sendCommand(fixture.port, "getNodeInfo", {
          from: "127.0.0.2",
          headers: { authorization: GOOD },
        })
      ).status,
    ).toBe(200);
  });

  it("never locks out localhost", async () => {
    fixture = await startProxy(settings);
    for (let i = 0; i < 5; i++) {
      await sendCommand(fixture.port, "getNodeInfo", {
        headers: { authorization: basic("admin", "x") },
      });
    }
    expect(
      (
        await sendCommand(fixture.port, "getNodeInfo", {
          headers: { authorization: GOOD },
        })
      ).status,
    ).toBe(200);
  });

  it("ends a lockout when the owner unblocks the address", async () => {
    fixture = await startProxy(settings);
    for (let i = 0; i < 3; i++) {
      await sendCommand(fixture.port, "getNodeInfo", {
        from: "127.0.0.2",
        headers: { authorization: basic("admin", "x") },
      });
    }
    fixture.engine.unblock("127.0.0.2");
    expect(
      (
        await sendCommand(fixture.port, "getNodeInfo", {
          from: "127.0.0.2",
          headers: { authorization: GOOD },
        })
      ).status,
    ).toBe(200);
  });
});

describe("verified headers on a keep-alive connection", () => {
  function sendOn(
    agent: Agent,
    port: number,
    authorization: string | string[],
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      const headers = {
        "x-iota-api-version": "1",
        "content-type": "application/json",
        authorization,
      } as unknown as OutgoingHttpHeaders;
      const req = request(
        { host: "127.0.0.1", port, method: "POST", path: "/", agent, headers },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end('{"command":"getNodeInfo"}');
    });
  }

  it("stop counting once the password changes", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await sendOn(agent, fixture.port, GOOD)).toBe(200);
    expect(await sendOn(agent, fixture.port, GOOD)).toBe(200);
    const record = await createPasswordRecord("rotated", "sha256");
    await fixture.engine.update({
      ...fixture.engine.settings,
      basicAuth: { ...HORNET_AUTH, ...record },
    });
    expect(await sendOn(agent, fixture.port, GOOD)).toBe(401);
    expect(await sendOn(agent, fixture.port, basic("admin", "rotated"))).toBe(
      200,
    );
    agent.destroy();
    expect(
      new Set(fixture.node.received.map((received) => received.remotePort))
        .size,
    ).toBe(1);
  });

  it("still reject a second header", async () => {
    fixture = await startProxy({ basicAuth: HORNET_AUTH });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await sendOn(agent, fixture.port, GOOD)).toBe(200);
    expect(
      await sendOn(agent, fixture.port, [GOOD, basic("admin", "other")]),
    ).toBe(400);
    expect(await sendOn(agent, fixture.port, basic("admin", "wrong"))).toBe(
      401,
    );
    agent.destroy();
  });
});
