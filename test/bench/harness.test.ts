import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import {
  blast,
  legacyRequest,
  loopbackAddresses,
  parseResponse,
} from "./blaster.js";
import { nginxConfig } from "./nginx.js";

describe("parseResponse", () => {
  it("finds the end of a response with Content-Length", () => {
    const text = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1";
    expect(parseResponse(Buffer.from(text))).toEqual({
      status: 200,
      length: text.length - 8,
    });
  });

  it("waits for the rest of a body", () => {
    expect(
      parseResponse(
        Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"),
      ).length,
    ).toBe(-1);
    expect(
      parseResponse(Buffer.from("HTTP/1.1 200 OK\r\nContent-Len")).length,
    ).toBe(-1);
  });

  it("reads chunked bodies", () => {
    const text =
      "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    expect(parseResponse(Buffer.from(text))).toEqual({
      status: 403,
      length: text.length,
    });
    expect(parseResponse(Buffer.from(text.slice(0, -3))).length).toBe(-1);
  });
});

describe("loopbackAddresses", () => {
  it("gives distinct addresses outside 127.0.0.0/16", () => {
    const addresses = loopbackAddresses(70_000, 8);
    expect(new Set(addresses).size).toBe(70_000);
    expect(addresses[0]).toBe("127.8.0.1");
    expect(addresses.every((address) => !address.startsWith("127.0."))).toBe(
      true,
    );
  });
});

describe("blast", () => {
  let server: ReturnType<typeof createServer> | undefined;
  afterEach(() => server?.close());

  it("counts statuses and sends from the given addresses", async () => {
    const seen = new Set<string>();
    server = createServer((req, res) => {
      seen.add(req.socket.remoteAddress ?? "");
      res.writeHead(req.socket.remoteAddress === "127.0.0.2" ? 200 : 403, {
        "content-length": "2",
      });
      res.end("ok");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const result = await blast({
      host: "127.0.0.1",
      port,
      request: legacyRequest("getNodeInfo"),
      connections: 4,
      durationMs: 300,
      localAddresses: ["127.0.0.2", "127.0.0.3"],
      maxRequests: 200,
    });
    expect(seen).toEqual(new Set(["127.0.0.2", "127.0.0.3"]));
    expect(result.completed).toBe(200);
    expect((result.statuses["200"] ?? 0) + (result.statuses["403"] ?? 0)).toBe(
      200,
    );
    expect(result.statuses["200"]).toBeGreaterThan(0);
    expect(result.statuses["403"]).toBeGreaterThan(0);
  });
});

describe("nginxConfig", () => {
  it("writes the recipe's limit_req with the protections asked for", () => {
    const config = nginxConfig("/tmp/x", {
      upstreamPort: 1,
      port: 2,
      rate: "5r/s",
      burst: 5,
      auth: true,
      allow: ["127.0.0.2"],
    });
    expect(config).toContain(
      "limit_req_zone $binary_remote_addr zone=iota:10m rate=5r/s;",
    );
    expect(config).toContain("limit_req zone=iota burst=5 nodelay;");
    expect(config).toContain("allow 127.0.0.2;\n      deny all;");
    expect(config).toContain("auth_basic_user_file /tmp/x/htpasswd;");
  });

  it("leaves out access rules and auth when not asked", () => {
    const config = nginxConfig("/tmp/x", {
      upstreamPort: 1,
      port: 2,
      rate: "5r/s",
      burst: 5,
      auth: false,
      allow: [],
    });
    expect(config).not.toContain("deny all");
    expect(config).not.toContain("auth_basic");
  });
});
