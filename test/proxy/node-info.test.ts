import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import {
  checkNode,
  NODE_CHECK_USER_AGENT,
} from "../../main/proxy/node-info.js";
import { startTestNode, type TestIotaNode } from "../support/iota-node.js";

let node: TestIotaNode | undefined;
let server: Server | undefined;

afterEach(async () => {
  await node?.stop();
  server?.closeAllConnections();
  server?.close();
  node = undefined;
  server = undefined;
});

/** Starts a node that serves only the legacy API, without /api/v1/info. */
async function startLegacyNode(
  answer: (
    body: string,
    headers: Record<string, unknown>,
  ) => { status: number; text: string },
): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST") {
        res.writeHead(404).end('{"error":"Not Found"}');
        return;
      }
      const reply = answer(Buffer.concat(chunks).toString(), req.headers);
      res
        .writeHead(reply.status, { "content-type": "application/json" })
        .end(reply.text);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("checkNode", () => {
  it("reads name and version from the REST info route", async () => {
    node = await startTestNode();
    const status = await checkNode(node.url, 2000);
    expect(status).toMatchObject({
      reachable: true,
      name: "HORNET",
      version: "1.2.1",
      api: "rest",
    });
    expect(node.received).toHaveLength(1);
    expect(node.received[0]?.url).toBe("/api/v1/info");
    expect(node.received[0]?.headers["user-agent"]).toBe(NODE_CHECK_USER_AGENT);
  });

  it("falls back to the legacy getNodeInfo command", async () => {
    const seen: { body: string; version: unknown }[] = [];
    const url = await startLegacyNode((body, headers) => {
      seen.push({ body, version: headers["x-iota-api-version"] });
      return {
        status: 200,
        text: JSON.stringify({ appName: "IRI", appVersion: "1.8.6" }),
      };
    });
    const status = await checkNode(url, 2000);
    expect(status).toMatchObject({
      reachable: true,
      name: "IRI",
      version: "1.8.6",
      api: "legacy",
    });
    expect(seen).toEqual([{ body: '{"command":"getNodeInfo"}', version: "1" }]);
  });

  it("node that answers without a name is reachable", async () => {
    const url = await startLegacyNode(() => ({ status: 200, text: "[]" }));
    const status = await checkNode(url, 2000);
    expect(status.reachable).toBe(true);
    expect(status.error).toBe("the node's response has no name or version");
  });

  it("node that answers garbage is reachable with the reason", async () => {
    const url = await startLegacyNode(() => ({ status: 200, text: "<html>" }));
    const status = await checkNode(url, 2000);
    expect(status).toMatchObject({
      reachable: true,
      error: "the node's response to / is not JSON",
    });
  });

  it("node that is down is unreachable", async () => {
    node = await startTestNode();
    const url = node.url;
    await node.stop();
    node = undefined;
    const status = await checkNode(url, 2000);
    expect(status).toMatchObject({
      reachable: false,
      error: "the node refused the connection",
    });
  });

  it("node that never answers times out", async () => {
    node = await startTestNode();
    node.fault = "hang";
    const started = Date.now();
    const status = await checkNode(node.url, 300);
    expect(status).toMatchObject({
      reachable: false,
      error: "the node did not respond in time",
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
