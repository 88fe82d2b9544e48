import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { HORNET_AUTH, startProxy, type ProxyFixture } from "../support/http.js";
import { chunked, exchange, rawRequest } from "../support/raw-http.js";

const AUTH = `Basic ${Buffer.from("admin:iota").toString("base64")}`;
const HEAD = `Host: node-shield.test\r\nAuthorization: ${AUTH}\r\nX-IOTA-API-Version: 1\r\n`;
const INFO = '{"command":"getNodeInfo"}';
const HIDDEN = "GET /api/v1/peers HTTP/1.1\r\nHost: node-shield.test\r\n\r\n";

const SETTINGS = {
  basicAuth: HORNET_AUTH,
  whitelist: { enabled: false },
  rateLimit: { enabled: false },
  lockout: { enabled: false },
  limits: { maxBodyBytes: 1000 },
};

let fixture: ProxyFixture;
beforeEach(async () => {
  fixture = await startProxy(SETTINGS);
});
afterEach(async () => {
  await fixture.close();
});

function authorized(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = "",
): string {
  return rawRequest(
    method,
    target,
    { Authorization: AUTH, "X-IOTA-API-Version": "1", ...headers },
    body,
  );
}

// Each case: a name, the raw request and the status the engine must give.
const REJECTED: [string, string, number][] = [
  [
    "Content-Length with Transfer-Encoding",
    `POST / HTTP/1.1\r\n${HEAD}Content-Length: 25\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(INFO)}`,
    400,
  ],
  [
    "Transfer-Encoding with Content-Length",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nG`,
    400,
  ],
  [
    "two equal Content-Length headers",
    `POST / HTTP/1.1\r\n${HEAD}Content-Length: 25\r\nContent-Length: 25\r\n\r\n${INFO}`,
    400,
  ],
  [
    "two different Content-Length headers",
    `POST / HTTP/1.1\r\n${HEAD}Content-Length: 25\r\nContent-Length: 5\r\n\r\n${INFO}`,
    400,
  ],
  [
    "Content-Length list",
    `POST / HTTP/1.1\r\n${HEAD}Content-Length: 25, 25\r\n\r\n${INFO}`,
    400,
  ],
  [
    "signed Content-Length",
    `POST / HTTP/1.1\r\n${HEAD}Content-Length: +25\r\n\r\n${INFO}`,
    400,
  ],
  [
    "Content-Length past 2^64",
    `POST / HTTP/1.1\r\n${HEAD}Content-Length: 99999999999999999999\r\n\r\n`,
    400,
  ],
  [
    "space before the colon",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding : chunked\r\n\r\n${chunked(INFO)}`,
    400,
  ],
  [
    "folded Transfer-Encoding",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding:\r\n chunked\r\n\r\n${chunked(INFO)}`,
    400,
  ],
  [
    "two Transfer-Encoding headers",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(INFO)}`,
    400,
  ],
  [
    "Transfer-Encoding chunked, gzip",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked, gzip\r\n\r\n${chunked(INFO)}`,
    400,
  ],
  [
    "Transfer-Encoding identity",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: identity\r\n\r\n${INFO}`,
    400,
  ],
  [
    "Transfer-Encoding xchunked",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: xchunked\r\n\r\n${chunked(INFO)}`,
    400,
  ],
  [
    "Transfer-Encoding gzip, chunked",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: gzip, chunked\r\n\r\n${chunked(INFO)}`,
    501,
  ],
  [
    "chunk size in hex notation",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\n0x19\r\n${INFO}\r\n0\r\n\r\n`,
    400,
  ],
  [
    "chunk lines ending in LF",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\n19\n${INFO}\n0\n\n`,
    400,
  ],
  [
    "chunk shorter than its size",
    `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\n1f\r\n${INFO}\r\n0\r\n\r\n`,
    400,
  ],
  [
    "GET with a hidden request as body",
    `GET /api/v1/info HTTP/1.1\r\n${HEAD}Content-Length: ${HIDDEN.length}\r\n\r\n${HIDDEN}`,
    400,
  ],
  [
    "DELETE with a hidden request as body",
    `DELETE /api/v1/info HTTP/1.1\r\n${HEAD}Content-Length: ${HIDDEN.length}\r\n\r\n${HIDDEN}`,
    400,
  ],
  [
    "GET with a chunked body",
    `GET /api/v1/info HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\n${chunked(HIDDEN)}`,
    400,
  ],
  [
    "absolute-form target",
    `POST http://127.0.0.1:14265/ HTTP/1.1\r\n${HEAD}Content-Length: 25\r\n\r\n${INFO}`,
    400,
  ],
  ["asterisk target", `GET * HTTP/1.1\r\n${HEAD}\r\n`, 400],
  [
    "lower-case method",
    `post / HTTP/1.1\r\n${HEAD}Content-Length: 25\r\n\r\n${INFO}`,
    400,
  ],
  [
    "bare LF header lines",
    `POST / HTTP/1.1\nHost: x\nAuthorization: ${AUTH}\nContent-Length: 25\n\n${INFO}`,
    400,
  ],
  [
    "NUL in a header value",
    `GET /api/v1/info HTTP/1.1\r\n${HEAD}X-A: a\0b\r\n\r\n`,
    400,
  ],
];

describe("request framing", () => {
  it.each(REJECTED)("%s", async (_name, request, status) => {
    const result = await exchange(fixture.port, request, { responses: 1 });

    expect(result.responses[0]?.status).toBe(status);
    expect(result.responses[0]?.json).toHaveProperty("error");
    expect(result.responses).toHaveLength(1);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("chunked body over the limit gets 413", async () => {
    const chunks = Array.from(
      { length: 20 },
      () => `64\r\n${"a".repeat(100)}\r\n`,
    );
    const result = await exchange(
      fixture.port,
      [
        `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\n`,
        ...chunks,
      ],
      { pauseMs: 5 },
    );

    expect(result.responses[0]?.status).toBe(413);
    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("huge declared chunk over the limit gets 413", async () => {
    const result = await exchange(
      fixture.port,
      `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\nffffff\r\n${"a".repeat(2000)}`,
    );

    expect(result.responses[0]?.status).toBe(413);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("Content-Length over the limit gets 413", async () => {
    const result = await exchange(
      fixture.port,
      `POST / HTTP/1.1\r\n${HEAD}Content-Length: 5000\r\n\r\n${"a".repeat(100)}`,
    );

    expect(result.responses[0]?.status).toBe(413);
    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("re-framed body reaches the node as one request", async () => {
    const body = `{"x":"0\\r\\n\\r\\n${HIDDEN.replace(/\r\n/g, "\\r\\n")}"}`;
    const result = await exchange(
      fixture.port,
      `POST /api/v1/messages HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\n${chunked(body)}`,
      { responses: 1 },
    );

    expect(result.responses[0]?.status).toBe(201);
    expect(fixture.node.received).toHaveLength(1);
    expect(fixture.node.received[0]?.body).toBe(body);
    expect(fixture.node.received[0]?.headers["content-length"]).toBe(
      String(Buffer.byteLength(body)),
    );
    expect(fixture.node.received[0]?.headers["transfer-encoding"]).toBe(
      undefined,
    );
  });

  it("trailers are not passed on", async () => {
    const framed = `19\r\n${INFO}\r\n0\r\nX-Forwarded-For: 127.0.0.1\r\nAuthorization: Basic AAAA\r\n\r\n`;
    const result = await exchange(
      fixture.port,
      `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\nTrailer: X-Forwarded-For\r\n\r\n${framed}`,
      { responses: 1 },
    );

    expect(result.responses[0]?.status).toBe(200);
    expect(fixture.node.received).toHaveLength(1);
    expect(fixture.node.received[0]?.headers["x-forwarded-for"]).toBe(
      undefined,
    );
    expect(fixture.node.received[0]?.headers.authorization).toBe(AUTH);
  });

  it("pipelined requests each pass the pipeline", async () => {
    const requests = [
      authorized("POST", "/", {}, INFO),
      authorized("POST", "/", {}, '{"command":"attachToTangle"}'),
      rawRequest("GET", "/api/v1/info"),
      authorized("GET", "/api/v1/peers"),
      authorized("GET", "/api/v1/info"),
    ];
    const result = await exchange(fixture.port, requests.join(""), {
      responses: 5,
    });

    expect(result.responses.map((response) => response.status)).toEqual([
      200, 403, 401, 403, 200,
    ]);
    expect(fixture.node.received.map((request) => request.url)).toEqual([
      "/",
      "/api/v1/info",
    ]);
    expect(fixture.node.commands).toEqual(["getNodeInfo"]);
  });

  it("HEAD with a body gets 400", async () => {
    const result = await exchange(
      fixture.port,
      `HEAD /api/v1/info HTTP/1.1\r\n${HEAD}Content-Length: ${HIDDEN.length}\r\n\r\n${HIDDEN}`,
    );

    expect(result.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("nothing after a 413 is read", async () => {
    const requests = [
      authorized("POST", "/", {}, "x".repeat(1500)),
      authorized("POST", "/", {}, INFO),
    ];
    const result = await exchange(fixture.port, requests.join(""));

    expect(result.responses.map((response) => response.status)).toEqual([413]);
    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("nothing after a framing error is read", async () => {
    const requests = [
      `POST / HTTP/1.1\r\n${HEAD}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
      authorized("POST", "/", {}, INFO),
    ];
    const result = await exchange(fixture.port, requests.join(""));

    expect(result.responses.map((response) => response.status)).toEqual([400]);
    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("a smuggled request in a rejected body is not run", async () => {
    const smuggled = authorized("POST", "/", {}, INFO);
    const request = `POST / HTTP/1.1\r\nHost: x\r\nX-IOTA-API-Version: 1\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`;
    const result = await exchange(fixture.port, request);

    expect(result.responses.map((response) => response.status)).toEqual([401]);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("CONNECT is never forwarded", async () => {
    const result = await exchange(
      fixture.port,
      `CONNECT 127.0.0.1:14265 HTTP/1.1\r\n${HEAD}\r\n`,
    );

    expect(result.closed).toBe(true);
    expect(fixture.node.received).toHaveLength(0);
  });

  it("upgrade head is not run as a request", async () => {
    const result = await exchange(
      fixture.port,
      `GET /mqtt HTTP/1.1\r\n${HEAD}Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: ${HIDDEN.length}\r\n\r\n${HIDDEN}`,
      { responses: 1 },
    );

    expect(result.responses[0]?.status).toBe(400);
    expect(fixture.node.received.map((request) => request.url)).toEqual([
      "/mqtt",
    ]);
    expect(fixture.node.received[0]?.headers["content-length"]).toBe(undefined);
  });

  it("every forwarded request is one upstream request", async () => {
    const requests = Array.from({ length: 10 }, (_, index) =>
      index % 2 === 0
        ? authorized("POST", "/", {}, INFO)
        : authorized("GET", `/api/v1/info?n=${index}`),
    );
    const result = await exchange(fixture.port, requests.join(""), {
      responses: 10,
    });

    expect(result.responses.map((response) => response.status)).toEqual(
      requests.map(() => 200),
    );
    expect(fixture.node.received).toHaveLength(10);
    expect(fixture.engine.snapshot().forwarded["2xx"]).toBe(10);
  });
});
