/**
 * The proxy engine: the listening server, the pipeline, forwarding and the
 * stats, with settings that can change while it runs. It has no Electron
 * import, so it runs headless, in the tests and in the desktop app's engine
 * process alike.
 */
import { once } from "node:events";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

import { silentLogger, type Logger } from "../../shared/logger.js";
import { parseSettings, type Settings } from "../../shared/settings.js";
import type { RejectionReason, StatsSnapshot } from "../../shared/stats.js";
import type { ClientIdentity } from "./client-address.js";
import { identifyClient } from "./client-address.js";
import { CREDENTIAL_CACHE_MAX } from "./credentials.js";
import { BlockTable, LOCKOUT_TABLE_MAX, LockoutTable } from "./lockout.js";
import { admit, type PipelineState, type Rejection } from "./pipeline.js";
import { compilePolicy, type Policy } from "./policy.js";
import { RATE_LIMIT_BUCKETS_MAX, RateLimiter } from "./rate-limit.js";
import { RejectionLog } from "./rejection-log.js";
import { sendError, sendPreflight, writeRawError } from "./respond.js";
import {
  applyServerLimits,
  ConnectionCounter,
  createProxyServer,
} from "./server.js";
import { Stats } from "./stats.js";
import { Upstream, type ForwardOutcome } from "./upstream.js";
import { UPSTREAM_QUEUE_MAX, UpstreamGate } from "./upstream-gate.js";
import { forwardUpgrade } from "./upgrade.js";

/** The address the engine listens on. */
export interface ListenAddress {
  host: string;
  port: number;
  /** `http://host:port`, with IPv6 hosts in brackets. */
  url: string;
}

export type UpdateResult =
  { ok: true; settings: Settings } | { ok: false; message: string };

export interface EngineOptions {
  logger?: Logger;
  /** Interval of the rejection summaries in the log, in milliseconds. */
  rejectionLogIntervalMs?: number;
}

/** Raised when the engine cannot listen; the message names the address. */
export class ListenError extends Error {
  readonly code: string | undefined;

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    const reason =
      cause.code === "EADDRINUSE"
        ? "the port is already in use by another program"
        : cause.code === "EACCES"
          ? "permission denied (ports below 1024 need administrator rights)"
          : cause.code === "EADDRNOTAVAIL"
            ? "this machine has no such address"
            : cause.message;
    super(`cannot listen on ${formatHostPort(host, port)}: ${reason}`, {
      cause,
    });
    this.code = cause.code;
  }
}

/** Runs the secured reverse proxy in front of one node. */
export class Engine {
  readonly stats = new Stats();
  readonly #log: Logger;
  readonly #rejections: RejectionLog;
  readonly #connections = new ConnectionCounter();
  readonly #state: PipelineState;
  readonly #gate: UpstreamGate;
  #policy: Policy;
  #upstream: Upstream;
  #server: Server | undefined;
  #address: ListenAddress | undefined;
  #stopping = false;

  constructor(settings: Settings, options: EngineOptions = {}) {
    this.#log = (options.logger ?? silentLogger()).child({ module: "engine" });
    this.#rejections = new RejectionLog(
      this.#log,
      options.rejectionLogIntervalMs,
    );
    this.#policy = compilePolicy(settings);
    this.#upstream = new Upstream(settings);
    this.#gate = new UpstreamGate(settings.limits.maxUpstreamRequests);
    this.#state = {
      limiter: new RateLimiter(
        settings.rateLimit.requestsPerSecond,
        settings.rateLimit.burst,
      ),
      lockouts: new LockoutTable(settings.lockout),
      blocks: new BlockTable(),
      onLockout: (client, until) => {
        this.stats.markLocked(client.address, until, false);
        this.#log.warn(
          { client: client.address, until: new Date(until).toISOString() },
          "locked out a client after repeated failed authentication",
        );
      },
    };
  }

  /** The settings in force. */
  get settings(): Settings {
    return this.#policy.settings;
  }

  /** The address the engine listens on, once it does. */
  get address(): ListenAddress | undefined {
    return this.#address;
  }

  /** Starts listening. Rejects with a ListenError that names the address. */
  async start(): Promise<ListenAddress> {
    const settings = this.settings;
    this.#server = await this.#listen(settings.listen, settings.limits);
    this.#log.info(
      {
        upstream: settings.upstream.url,
        protection: settings.protection.enabled,
      },
      `listening on ${this.#address?.url ?? ""}`,
    );
    this.#warnIfUnprotected(settings);
    return this.#address as ListenAddress;
  }

  /**
   * Validates and applies new settings to the next request. Connections stay
   * open; a change of listen address rebinds. An invalid document, or an
   * address that cannot be bound, is rejected whole and the old settings stay.
   */
  async update(input: unknown): Promise<UpdateResult> {
    const parsed = parseSettings(input);
    if (!parsed.ok) {
      this.#log.warn(
        { issues: parsed.issues.length },
        "rejected invalid settings, the previous settings stay in force",
      );
      return { ok: false, message: parsed.message };
    }
    const next = parsed.settings;
    const previous = this.settings;

    if (this.#server && this.#needsRebind(next)) {
      try {
        await this.#rebind(next);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.#log.error(
          { err: message },
          "rejected settings: cannot listen on the new address",
        );
        return { ok: false, message };
      }
    } else if (this.#server) {
      applyServerLimits(this.#server, next.limits);
    }

    this.#applyPolicy(previous, next);
    this.#log.info(
      { changed: changedSections(previous, next) },
      "settings applied",
    );
    if (
      previous.protection.enabled !== next.protection.enabled ||
      !next.protection.enabled
    )
      this.#warnIfUnprotected(next);
    return { ok: true, settings: next };
  }

  /**
   * Stops accepting connections, lets requests in flight finish for up to
   * `graceMs`, then closes what is left.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#rejections.flush();
    const server = this.#server;
    if (server) {
      const closed = once(server, "close");
      server.close();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    }
    await this.#upstream.close().catch(() => undefined);
    this.#log.info("stopped");
  }

  /** Returns the current statistics. */
  snapshot(): StatsSnapshot {
    return this.stats.snapshot(this.#connections.open, {
      rateLimitBuckets: {
        size: this.#state.limiter.size,
        max: RATE_LIMIT_BUCKETS_MAX,
      },
      lockouts: { size: this.#state.lockouts.size, max: LOCKOUT_TABLE_MAX },
      credentialCache: {
        size: this.#policy.verifier?.cacheSize ?? 0,
        max: CREDENTIAL_CACHE_MAX,
      },
      upstreamQueue: { size: this.#gate.queued, max: UPSTREAM_QUEUE_MAX },
    });
  }

  /** Blocks a client address (an IPv6 address blocks its /64) for a number of seconds. */
  block(address: string, seconds: number): boolean {
    const client = identifyClient(address);
    if (client.local) return false;
    const until = Date.now() + seconds * 1000;
    const blocked = this.#state.blocks.block(client.key, until);
    if (blocked) {
      this.stats.markLocked(client.address, until, true);
      this.#log.info({ client: client.address, seconds }, "blocked a client");
    }
    return blocked;
  }

  /** Lifts a block or a lockout of a client address. */
  unblock(address: string): void {
    const client = identifyClient(address);
    this.#state.blocks.unblock(client.key);
    this.#state.lockouts.clear(client.key);
    this.stats.markLocked(client.address, undefined, false);
    this.#log.info({ client: client.address }, "unblocked a client");
  }

  async #listen(
    listen: Settings["listen"],
    limits: Settings["limits"],
  ): Promise<Server> {
    const server = createProxyServer(
      limits,
      () => this.settings.limits,
      this.#connections,
      {
        request: (req, res, client) => void this.#onRequest(req, res, client),
        upgrade: (req, socket, head, client) =>
          void this.#onUpgrade(req, socket, head, client),
        rejected: (client, reason, status) =>
          this.#count(
            client,
            reason,
            status,
            "",
            "",
            this.#policy.whitelist.matches(client),
          ),
      },
    );
    const { host, port } = listen;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(new ListenError(host, port, error)),
      );
      server.listen({ host, port, ipv6Only: false }, () => resolve());
    });
    server.on("error", (error) =>
      this.#log.error({ err: error.message }, "server error"),
    );

    const bound = server.address() as AddressInfo;
    this.#address = {
      host,
      port: bound.port,
      url: `http://${formatHostPort(host, bound.port)}`,
    };
    return server;
  }

  /** Whether `listen` describes the address the engine is bound to now; port 0 means any port. */
  #isBoundTo(listen: Settings["listen"]): boolean {
    const bound = this.#address;
    return (
      bound !== undefined &&
      listen.host === bound.host &&
      (listen.port === 0 || listen.port === bound.port)
    );
  }

  #needsRebind(next: Settings): boolean {
    return (
      !this.#isBoundTo(next.listen) ||
      next.limits.maxHeaderBytes !== this.settings.limits.maxHeaderBytes
    );
  }

  async #rebind(next: Settings): Promise<void> {
    const old = this.#server as Server;
    const bound = this.#address as ListenAddress;
    if (!this.#isBoundTo(next.listen)) {
      this.#server = await this.#listen(next.listen, next.limits);
      await closeListener(old);
    } else {
      // Only server options changed. The same address cannot be bound twice,
      // so the old listener closes first and reopens if the new one fails.
      const listen = { host: bound.host, port: bound.port };
      await closeListener(old);
      try {
        this.#server = await this.#listen(listen, next.limits);
      } catch (error) {
        this.#server = await this.#listen(listen, this.settings.limits);
        throw error;
      }
    }
    this.#log.info(`listening on ${this.#address?.url ?? ""}`);
  }

  #applyPolicy(previous: Settings, next: Settings): void {
    this.#policy = compilePolicy(next, this.#policy);
    this.#state.limiter.configure(
      next.rateLimit.requestsPerSecond,
      next.rateLimit.burst,
    );
    this.#state.lockouts.configure(next.lockout);
    this.#gate.configure(next.limits.maxUpstreamRequests);
    const upstreamChanged =
      JSON.stringify(previous.upstream) !== JSON.stringify(next.upstream) ||
      previous.limits.maxUpstreamRequests !== next.limits.maxUpstreamRequests;
    if (upstreamChanged) {
      const old = this.#upstream;
      this.#upstream = new Upstream(next);
      void old.close().catch(() => undefined);
    }
  }

  async #onRequest(
    req: IncomingMessage,
    res: ServerResponse,
    client: ClientIdentity,
  ): Promise<void> {
    req.on("error", () => undefined);
    try {
      const policy = this.#policy;
      const admission = await admit(req, client, policy, this.#state);
      if (admission.kind === "aborted") return;
      if (admission.kind === "preflight") {
        this.stats.recordPreflight({
          address: client.address,
          whitelisted: admission.trusted,
        });
        sendPreflight(res);
        return;
      }
      if (admission.kind === "reject") {
        this.#reject(
          res,
          client,
          admission.rejection,
          req.method ?? "",
          admission.target,
          admission.trusted,
        );
        return;
      }
      await this.#forward(
        req,
        res,
        client,
        admission.body,
        admission.target,
        admission.trusted,
      );
    } catch (error) {
      this.#log.error(
        {
          err: error instanceof Error ? error.stack : String(error),
          client: client.address,
        },
        "request failed inside the engine",
      );
      if (!res.headersSent)
        sendError(res, 500, "internal error in Node Shield", {}, true);
      else res.destroy();
    }
  }

  async #forward(
    req: IncomingMessage,
    res: ServerResponse,
    client: ClientIdentity,
    body: Buffer,
    target: string,
    trusted: boolean,
  ): Promise<void> {
    // A client that leaves while its request waits gives up its place.
    const pending = this.#gate.acquire(client.key, (cancel) =>
      res.once("close", cancel),
    );
    const slot = pending instanceof Promise ? await pending : pending;
    if (!slot.ok) {
      if (!res.destroyed)
        this.#reject(
          res,
          client,
          {
            status: 503,
            reason: "busy",
            message: "the node is busy, retry shortly",
            headers: { "retry-after": "1" },
          },
          req.method ?? "",
          target,
          trusted,
        );
      return;
    }

    let outcome: ForwardOutcome;
    try {
      outcome = await this.#upstream.forward(req, res, body);
    } finally {
      slot.release();
    }
    this.#recordOutcome(res, client, outcome, trusted);
  }

  #recordOutcome(
    res: ServerResponse,
    client: ClientIdentity,
    outcome: ForwardOutcome,
    trusted: boolean,
  ): void {
    const statsClient = { address: client.address, whitelisted: trusted };
    if (outcome.kind === "response") {
      this.stats.recordForwarded(
        statsClient,
        outcome.status,
        outcome.latencyMs,
      );
      return;
    }
    if (outcome.kind === "aborted") return;

    const wasReachable = this.stats.upstreamReachable;
    this.stats.recordUpstreamFailure(outcome.kind, outcome.message);
    if (wasReachable !== false)
      this.#log.warn(
        { err: outcome.message, upstream: this.#upstream.url },
        "the node did not answer a forwarded request",
      );
    if (res.headersSent) return;
    if (outcome.kind === "timeout")
      sendError(res, 504, "the node did not answer in time");
    else sendError(res, 502, "the node is unreachable");
  }

  async #onUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    client: ClientIdentity,
  ): Promise<void> {
    socket.on("error", () => socket.destroy());
    try {
      const admission = await admit(req, client, this.#policy, this.#state);
      if (admission.kind === "aborted") return;
      if (admission.kind !== "forward") {
        const rejection: Rejection =
          admission.kind === "reject"
            ? admission.rejection
            : {
                status: 400,
                reason: "badRequest",
                message: "an upgrade cannot be a preflight",
              };
        this.#count(
          client,
          rejection.reason,
          rejection.status,
          req.method ?? "",
          admission.kind === "reject" ? admission.target : "",
          admission.trusted,
        );
        writeRawError(
          socket,
          rejection.status,
          rejection.message,
          rejection.headers,
        );
        return;
      }
      const outcome = await forwardUpgrade(
        req,
        socket,
        head,
        this.#upstream.url,
        this.settings.upstream.timeoutSeconds * 1000,
      );
      const statsClient = {
        address: client.address,
        whitelisted: admission.trusted,
      };
      if (outcome.kind === "error")
        this.stats.recordUpstreamFailure("error", outcome.message);
      else
        this.stats.recordForwarded(
          statsClient,
          outcome.kind === "upgraded" ? 101 : outcome.status,
          0,
        );
    } catch (error) {
      this.#log.error(
        {
          err: error instanceof Error ? error.stack : String(error),
          client: client.address,
        },
        "upgrade failed inside the engine",
      );
      writeRawError(socket, 500, "internal error in Node Shield");
    }
  }

  #reject(
    res: ServerResponse,
    client: ClientIdentity,
    rejection: Rejection,
    method: string,
    target: string,
    trusted: boolean,
  ): void {
    this.#count(
      client,
      rejection.reason,
      rejection.status,
      method,
      target,
      trusted,
    );
    sendError(
      res,
      rejection.status,
      rejection.message,
      rejection.headers,
      rejection.close,
    );
  }

  #count(
    client: ClientIdentity,
    reason: RejectionReason,
    status: number,
    method: string,
    target: string,
    trusted: boolean,
  ): void {
    this.stats.recordRejected(
      { address: client.address, whitelisted: trusted },
      reason,
      status,
      method,
      target,
    );
    this.#rejections.count(reason, client.address);
  }

  #warnIfUnprotected(settings: Settings): void {
    if (settings.protection.enabled) {
      this.#log.info("protection is on");
    } else {
      this.#log.warn(
        "protection is OFF: every request is forwarded without authentication, whitelist, rate limit or command policy",
      );
    }
  }
}

/** Validates settings and starts an engine on them. */
export async function startEngine(
  input: unknown,
  options: EngineOptions = {},
): Promise<Engine> {
  const parsed = parseSettings(input);
  if (!parsed.ok) throw new Error(parsed.message);
  const engine = new Engine(parsed.settings, options);
  await engine.start();
  return engine;
}

async function closeListener(server: Server): Promise<void> {
  const closed = once(server, "close");
  server.close();
  server.closeIdleConnections();
  // Requests in flight on the old listener finish; close() resolves after them.
  await Promise.race([
    closed,
    new Promise((resolve) => setTimeout(resolve, 100)),
  ]);
}

function changedSections(previous: Settings, next: Settings): string[] {
  return (Object.keys(next) as (keyof Settings)[]).filter(
    (key) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]),
  );
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
