/**
 * The cheapest Node proxy we know how to write: the same HTTP server and
 * undici pool as the engine, and no checks at all. It shows how much of
 * Node Shield's cost is the Node HTTP stack that any Node proxy pays.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { Pool } from "undici";

const pool = new Pool(String(process.argv[2]), {
  connections: 64,
  pipelining: 1,
});

const server = createServer({ noDelay: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (
        value !== undefined &&
        name !== "connection" &&
        name !== "content-length"
      )
        headers[name] = value;
    }
    const body = Buffer.concat(chunks);
    headers["content-length"] = String(body.length);
    let status = 502;
    let responseHeaders: Record<string, string | string[] | undefined> = {};
    const parts: Buffer[] = [];
    pool.dispatch(
      { path: req.url ?? "/", method: req.method ?? "GET", headers, body },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode, received) {
          status = statusCode;
          responseHeaders = { ...received };
          delete responseHeaders.connection;
          delete responseHeaders["keep-alive"];
        },
        onResponseData(_controller, chunk) {
          parts.push(chunk);
        },
        onResponseEnd() {
          res.writeHead(status, responseHeaders);
          res.end(Buffer.concat(parts));
        },
        onResponseError() {
          res.writeHead(502);
          res.end();
        },
      },
    );
  });
});

server.listen(0, "127.0.0.1", () =>
  process.send?.({
    type: "ready",
    port: (server.address() as AddressInfo).port,
  }),
);
process.on("disconnect", () => process.exit(0));
