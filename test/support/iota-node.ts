/**
 * A test double of an IOTA node's HTTP API. It serves the legacy API
 * (`POST /` with a JSON command, in the shapes IRI and Hornet 0.5 return)
 * and the Chrysalis routes that clients use (`/health`, `/api/v1/info`,
 * `/api/v1/tips`, `/api/v1/messages`, `/api/v1/peers`, the `/mqtt`
 * WebSocket), and it records every request it receives so that tests can
 * assert what never reached it.
 */
import { once } from "node:events";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { WebSocketServer } from "ws";

/** A request as the node received it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** The legacy command, when the body had one. */
  command?: string;
  remoteAddress: string;
  remotePort: number;
}

/**
 * How the node misbehaves, for fault tests. `resetMidResponse` cuts a
 * response that has a Content-Length, `resetMidStream` a chunked one.
 */
export type NodeFault =
  "none" | "hang" | "reset" | "garbage" | "resetMidResponse" | "resetMidStream";

const TRYTES_81 = "9".repeat(81);
const HASH = "A".repeat(81);

export const NODE_INFO = {
  appName: "HORNET",
  appVersion: "0.5.3",
  latestMilestone: HASH,
  latestMilestoneIndex: 1_000_000,
  latestSolidSubtangleMilestone: HASH,
  latestSolidSubtangleMilestoneIndex: 1_000_000,
  milestoneStartIndex: 990_000,
  lastSnapshottedMilestoneIndex: 995_000,
  neighbors: 4,
  time: 1_700_000_000_000,
  tips: 12,
  transactionsToRequest: 0,
  features: ["RemotePOW", "WereAddressesSpentFrom"],
  coordinatorAddress:
    "EQSAUZXULTTYZCLNJNTXQTQHOMOFZERHTCGTXOLTVAHKSA9OGAZDEKECURBRIXIJWNPFCQIOVFVVXJVD9",
  duration: 0,
};

export const CHRYSALIS_INFO = {
  data: {
    name: "HORNET",
    version: "1.2.1",
    isHealthy: true,
    networkId: "chrysalis-mainnet",
    bech32HRP: "iota",
    minPoWScore: 4000,
    messagesPerSecond: 12.5,
    referencedMessagesPerSecond: 12.1,
    referencedRate: 96.8,
    latestMilestoneTimestamp: 1_700_000_000,
    latestMilestoneIndex: 2_000_000,
    confirmedMilestoneIndex: 2_000_000,
    pruningIndex: 1_900_000,
    features: ["PoW"],
  },
};

/** Returns the response to a legacy command, given the request body. */
function legacyResponse(
  command: string,
  body: Record<string, unknown>,
): { status: number; json: unknown } {
  const count = (key: string) =>
    Array.isArray(body[key]) ? (body[key] as unknown[]).length : 0;
  switch (command) {
    case "getNodeInfo":
      return { status: 200, json: NODE_INFO };
    case "getNodeAPIConfiguration":
      return {
        status: 200,
        json: {
          maxFindTransactions: 100_000,
          maxRequestsList: 1000,
          maxGetTrytes: 1000,
          maxBodyLength: 1_000_000,
          milestoneStartIndex: 990_000,
          duration: 0,
        },
      };
    case "getBalances":
      return {
        status: 200,
        json: {
          balances: Array.from({ length: count("addresses") }, (_, i) =>
            String(i * 100),
          ),
          references: [HASH],
          milestoneIndex: 1_000_000,
          duration: 1,
        },
      };
    case "findTransactions":
      return { status: 200, json: { hashes: [HASH], duration: 1 } };
    case "getTrytes":
      return {
        status: 200,
        json: {
          trytes: Array.from({ length: count("hashes") }, () =>
            "9".repeat(2673),
          ),
          duration: 1,
        },
      };
    case "getInclusionStates":
      return {
        status: 200,
        json: {
          states: Array.from({ length: count("transactions") }, () => true),
          duration: 1,
        },
      };
    case "wereAddressesSpentFrom":
      return {
        status: 200,
        json: {
          states: Array.from({ length: count("addresses") }, () => false),
          duration: 1,
        },
      };
    case "checkConsistency":
      return { status: 200, json: { state: true, info: "", duration: 1 } };
    case "getTransactionsToApprove":
      return {
        status: 200,
        json: { trunkTransaction: HASH, branchTransaction: HASH, duration: 5 },
      };
    case "attachToTangle":
      return {
        status: 200,
        json: {
          trytes: (body.trytes as unknown[] | undefined) ?? [],
          duration: 1500,
        },
      };
    case "storeTransactions":
    case "broadcastTransactions":
    case "interruptAttachingToTangle":
      return { status: 200, json: { duration: 1 } };
    case "getTips":
      return { status: 200, json: { hashes: [HASH, HASH], duration: 1 } };
    case "getTipInfo":
      return {
        status: 200,
        json: {
          confirmed: false,
          conflicting: false,
          shouldPromote: false,
          shouldReattach: false,
          duration: 1,
        },
      };
    case "getNeighbors":
      return { status: 200, json: { neighbors: [], duration: 1 } };
    case "addNeighbors":
      return {
        status: 200,
        json: { addedNeighbors: count("uris"), duration: 1 },
      };
    case "removeNeighbors":
      return {
        status: 200,
        json: { removedNeighbors: count("uris"), duration: 1 },
      };
    default:
      return {
        status: 400,
        json: { error: `Command [${command}] is unknown`, duration: 0 },
      };
  }
}

/** A running test node. */
export class TestIotaNode {
  readonly received: ReceivedRequest[] = [];
  /** Responses whose connection closed before they were complete. */
  aborted = 0;
  fault: NodeFault = "none";
  /** Milliseconds that `attachToTangle` takes. */
  attachDelayMs = 200;
  /** Extra milliseconds before every response. */
  delayMs = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #websockets: WebSocketServer;
  #port = 0;

  /**
   * Whether every request is kept in `received`. Without it only `tally`
   * counts, so that a long load test does not grow the node's memory.
   */
  readonly record: boolean;
  /** Requests received per value of the `x-test-client` header ("-" without one). */
  readonly tally = new Map<string, number>();

  constructor(options: { record?: boolean } = {}) {
    this.record = options.record ?? true;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
    this.#websockets = new WebSocketServer({ noServer: true });
    this.#server.on("upgrade", (req, socket, head) => {
      this.#count(describeRequest(req, ""));
      if (this.fault === "hang") return;
      if (req.url !== "/mqtt") {
        socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      this.#websockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on("message", (data) => ws.send(`echo:${data.toString()}`));
      });
    });
  }

  /** Starts the node on 127.0.0.1, on `port` or a free port. */
  async start(port = 0): Promise<this> {
    this.#server.listen(port, "127.0.0.1");
    await once(this.#server, "listening");
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Legacy commands received, in order. */
  get commands(): string[] {
    return this.received.flatMap((request) =>
      request.command ? [request.command] : [],
    );
  }

  async stop(): Promise<void> {
    for (const client of this.#websockets.clients) client.terminate();
    this.#websockets.close();
    for (const socket of this.#sockets) socket.destroy();
    if (this.#server.listening) {
      this.#server.close();
      await once(this.#server, "close");
    }
  }

  #count(request: ReceivedRequest): void {
    const client = request.headers["x-test-client"];
    const key = typeof client === "string" ? client : "-";
    this.tally.set(key, (this.tally.get(key) ?? 0) + 1);
    if (this.record) this.received.push(request);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.once("close", () => {
      if (!res.writableFinished) this.aborted++;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const record = describeRequest(req, body);
    this.#count(record);

    if (this.#misbehave(res)) return;
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (
      req.method === "POST" &&
      (req.url === "/" || req.url?.startsWith("/?"))
    ) {
      await this.#legacy(req, res, body, record);
      return;
    }
    this.#rest(req, res);
  }

  /** Returns true when a fault took over the response. */
  #misbehave(res: ServerResponse): boolean {
    switch (this.fault) {
      case "hang":
        return true;
      case "reset":
        res.socket?.destroy();
        return true;
      case "garbage":
        res.socket?.end("this is not HTTP at all\r\n\r\n");
        return true;
      case "resetMidResponse":
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": "1000",
        });
        res.write('{"appName":"HOR');
        setTimeout(() => res.socket?.destroy(), 20);
        return true;
      case "resetMidStream":
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"appName":"HOR');
        setTimeout(() => res.socket?.destroy(), 20);
        return true;
      default:
        return false;
    }
  }

  async #legacy(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    record: ReceivedRequest,
  ): Promise<void> {
    if (req.headers["x-iota-api-version"] === undefined) {
      sendJson(res, 400, { error: "Invalid API Version", duration: 0 });
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      sendJson(res, 400, { error: "Invalid JSON", duration: 0 });
      return;
    }
    const command = typeof parsed.command === "string" ? parsed.command : "";
    record.command = command;
    if (command === "attachToTangle") await sleep(this.attachDelayMs);
    const response = legacyResponse(command, parsed);
    sendJson(res, response.status, response.json);
  }

  #rest(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/health") {
      res.writeHead(200, { "content-length": "0" });
      res.end();
    } else if (req.method === "GET" && path === "/api/v1/info") {
      sendJson(res, 200, CHRYSALIS_INFO);
    } else if (req.method === "GET" && path === "/api/v1/tips") {
      sendJson(res, 200, {
        data: { tipMessageIds: ["a".repeat(64), "b".repeat(64)] },
      });
    } else if (req.method === "POST" && path === "/api/v1/messages") {
      sendJson(res, 201, { data: { messageId: "c".repeat(64) } });
    } else if (req.method === "GET" && path === "/api/v1/peers") {
      sendJson(res, 200, { data: [] });
    } else if (req.method === "GET" && path === "/hop-by-hop") {
      res.writeHead(200, {
        connection: "keep-alive, x-hop-secret",
        "keep-alive": "timeout=5",
        "x-hop-secret": "node-internal",
        "proxy-authenticate": "Basic",
        "x-end-to-end": "kept",
        "content-type": "text/plain",
        "content-length": "2",
      });
      res.end("ok");
    } else if (req.method === "GET" && path === "/stream") {
      res.writeHead(200, { "content-type": "text/plain" });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`chunk ${sent++}\n`);
        if (sent === 5) {
          clearInterval(timer);
          res.end();
        }
      }, 10);
    } else {
      sendJson(res, 404, { error: "Not Found" });
    }
  }
}

function describeRequest(req: IncomingMessage, body: string): ReceivedRequest {
  return {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
    body,
    remoteAddress: req.socket.remoteAddress ?? "",
    remotePort: req.socket.remotePort ?? 0,
  };
}

function sendJson(res: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "access-control-allow-origin": "*",
  });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a test node on a free port of 127.0.0.1. */
export function startTestNode(): Promise<TestIotaNode> {
  return new TestIotaNode().start();
}

export { TRYTES_81 };
