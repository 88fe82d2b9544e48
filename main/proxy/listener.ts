/**
 * The listening socket of the engine. Each new connection is checked
 * against the per-client connection cap, then either rejected at the
 * connection level (clients that every request would reject) or handed to
 * the HTTP server. New HTTP limits take effect on new connections without
 * closing the listening socket.
 */
import type { Server } from "node:http";
import {
  createServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from "node:net";

import type { Settings } from "../../shared/settings.js";
import type { ClientIdentity } from "./client-address.js";
import { RawRejection, type ConnectionRejection } from "./raw-rejection.js";
import { writeRawError } from "./respond.js";
import {
  applyServerLimits,
  clientOf,
  createHttpServer,
  type ConnectionCounter,
  type ServerHandlers,
} from "./server.js";

export interface ListenerHandlers extends ServerHandlers {
  /** Returns the rejection that every request of a new connection would get, if there is one. */
  connectionRejection(client: ClientIdentity): ConnectionRejection | undefined;
}

/** Listens on one address and serves what arrives there. */
export class ProxyListener {
  readonly #front: NetServer;
  readonly #handlers: ListenerHandlers;
  readonly #connections: ConnectionCounter;
  #limits: Settings["limits"];
  #http: Server;
  /** Every HTTP server that may still have connections, the current one included. */
  readonly #httpServers = new Set<Server>();
  readonly #raw = new Set<RawRejection>();

  constructor(
    limits: Settings["limits"],
    connections: ConnectionCounter,
    handlers: ListenerHandlers,
  ) {
    this.#limits = limits;
    this.#connections = connections;
    this.#handlers = handlers;
    this.#http = createHttpServer(limits, handlers);
    this.#httpServers.add(this.#http);
    this.#front = createServer({ noDelay: true }, (socket) =>
      this.#accept(socket),
    );
    this.#front.maxConnections = limits.maxConnections;
  }

  /** Binds the address. Rejects with the system error when it cannot. */
  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#front.once("error", reject);
      this.#front.listen({ host, port, ipv6Only: false }, () => {
        this.#front.off("error", reject);
        resolve();
      });
    });
    this.#front.on("error", () => undefined);
    return (this.#front.address() as AddressInfo).port;
  }

  /** Applies new limits: at once for timeouts, for new connections for the header size. */
  applyLimits(limits: Settings["limits"]): void {
    const headerSizeChanged =
      limits.maxHeaderBytes !== this.#limits.maxHeaderBytes;
    this.#limits = limits;
    this.#front.maxConnections = limits.maxConnections;
    for (const server of this.#httpServers) applyServerLimits(server, limits);
    if (headerSizeChanged) {
      const old = this.#http;
      this.#http = createHttpServer(limits, this.#handlers);
      this.#httpServers.add(this.#http);
      this.#retire(old);
    }
  }

  /** Ends the connections rejected at the connection level whose clients may now be let in. */
  reviewRejectedConnections(): void {
    for (const connection of this.#raw) {
      if (!this.#handlers.connectionRejection(clientOf(connection.socket)))
        connection.release();
    }
  }

  /**
   * Stops accepting connections; those that are open stay. `onClosed` runs
   * once the last of them has closed.
   */
  stopAccepting(onClosed?: () => void): void {
    if (this.#front.listening) this.#front.close(() => onClosed?.());
  }

  /** Closes connections that have no request in flight. */
  closeIdle(): void {
    for (const server of this.#httpServers) server.closeIdleConnections();
    for (const connection of this.#raw) connection.release();
  }

  /** Closes every connection at once. */
  closeAll(): void {
    for (const server of this.#httpServers) server.closeAllConnections();
    for (const connection of this.#raw) connection.socket.destroy();
  }

  #accept(socket: Socket): void {
    socket.on("error", () => socket.destroy());
    // A peer that reset the connection before it was accepted has no
    // address (getpeername fails), and no peer is left to send a response to.
    if (socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const client = clientOf(socket);
    if (!this.#connections.add(socket, this.#limits.maxConnectionsPerClient)) {
      this.#handlers.rejected(client, "connectionLimit", 429);
      writeRawError(socket, 429, "too many connections from this address");
      socket.destroy();
      return;
    }

    const rejection = this.#handlers.connectionRejection(client);
    if (rejection) {
      const connection = new RawRejection(
        socket,
        rejection,
        this.#limits,
        (reason, status, method, target) =>
          this.#handlers.rejected(client, reason, status, method, target),
      );
      this.#raw.add(connection);
      socket.once("close", () => this.#raw.delete(connection));
      return;
    }
    this.#http.emit("connection", socket);
  }

  /** Lets an HTTP server that gets no new connections go once its last connection closes. */
  #retire(server: Server): void {
    server.closeIdleConnections();
    server.close(() => this.#httpServers.delete(server));
  }
}
