/**
 * The HTTP server and the connection limits that protect the proxy itself:
 * timeouts, header size, and connections per client (an IPv4 address or an
 * IPv6 /64). These stay on when protection is switched off.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

import type { Settings } from "../../shared/settings.js";
import type { RejectionReason } from "../../shared/stats.js";
import { identifyClient, type ClientIdentity } from "./client-address.js";
import { writeRawError } from "./respond.js";

const CLIENT = Symbol("nodeShieldClient");

type TrackedSocket = Socket & { [CLIENT]?: ClientIdentity };

/** Callbacks for the events that the server does not handle itself. */
export interface ServerHandlers {
  request(
    req: IncomingMessage,
    res: ServerResponse,
    client: ClientIdentity,
  ): void;
  upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    client: ClientIdentity,
  ): void;
  /** A connection or request that the server rejected before the pipeline saw it. */
  rejected(
    client: ClientIdentity,
    reason: RejectionReason,
    status: number,
    method?: string,
    target?: string,
  ): void;
}

/** Returns the identity of the client behind a socket, computed once per connection. */
export function clientOf(socket: Socket): ClientIdentity {
  const tracked = socket as TrackedSocket;
  let client = tracked[CLIENT];
  if (client === undefined) {
    client = identifyClient(socket.remoteAddress);
    tracked[CLIENT] = client;
  }
  return client;
}

/**
 * Counts the open connections of each client key: an IPv4 address, or an
 * IPv6 /64, because one subscriber gets a whole /64 and can open
 * connections from any address in it.
 */
export class ConnectionCounter {
  readonly #byKey = new Map<string, number>();
  #open = 0;

  get open(): number {
    return this.#open;
  }

  /** Counts a new connection. Returns false when the client key is over `max`. */
  add(socket: Socket, max: number): boolean {
    const { key } = clientOf(socket);
    const count = (this.#byKey.get(key) ?? 0) + 1;
    if (count > max) return false;

    this.#byKey.set(key, count);
    this.#open++;
    socket.once("close", () => {
      this.#open--;
      const left = (this.#byKey.get(key) ?? 1) - 1;
      if (left === 0) this.#byKey.delete(key);
      else this.#byKey.set(key, left);
    });
    return true;
  }
}

/** Converts seconds to the whole milliseconds that Node's server options require. */
function milliseconds(seconds: number): number {
  return Math.ceil(seconds * 1000);
}

/** Applies the limits that can change on a running server. */
export function applyServerLimits(
  server: Server,
  limits: Settings["limits"],
): void {
  server.headersTimeout = milliseconds(limits.headersTimeoutSeconds);
  server.requestTimeout = milliseconds(limits.requestTimeoutSeconds);
  server.keepAliveTimeout = milliseconds(limits.keepAliveTimeoutSeconds);
}

/**
 * Creates the HTTP server. It does not listen itself: the listener hands it
 * the connections that it serves over HTTP.
 */
export function createHttpServer(
  limits: Settings["limits"],
  handlers: ServerHandlers,
): Server {
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    requestTimeout: milliseconds(limits.requestTimeoutSeconds),
    headersTimeout: milliseconds(limits.headersTimeoutSeconds),
    keepAliveTimeout: milliseconds(limits.keepAliveTimeoutSeconds),
    // Timeouts are checked at this interval; Node's default is 30 s.
    connectionsCheckingInterval: 1000,
    noDelay: true,
  });
  applyServerLimits(server, limits);
  // Node starts tracking connections for its timeouts when a server starts
  // listening. This one is handed its connections, so it starts the tracking
  // by hand.
  server.emit("listening");

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handlers.request(req, res, clientOf(req.socket));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handlers.upgrade(req, socket, head, clientOf(req.socket));
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    respondToClientError(error, socket as Socket, handlers);
  });
  return server;
}

function respondToClientError(
  error: NodeJS.ErrnoException,
  socket: Socket,
  handlers: ServerHandlers,
): void {
  // A request whose headers were parsed already has a response on the
  // socket. The error then lies in its body (bad chunk framing, a body that
  // arrives too slowly), and the client still gets a response unless part of
  // that response is out, as with Node's own clientError handler.
  const response = (socket as { _httpMessage?: ServerResponse | null })
    ._httpMessage;
  if (
    error.code === "ECONNRESET" ||
    !socket.writable ||
    response?.headersSent
  ) {
    socket.destroy();
    return;
  }

  const client = clientOf(socket);
  if (error.code === "HPE_HEADER_OVERFLOW") {
    handlers.rejected(client, "headersTooLarge", 431);
    writeRawError(socket, 431, "the request headers are too large");
  } else if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    handlers.rejected(client, "timeout", 408);
    writeRawError(socket, 408, "the request was not received in time");
  } else {
    handlers.rejected(client, "badRequest", 400);
    writeRawError(socket, 400, "the request is not valid HTTP");
  }
}
