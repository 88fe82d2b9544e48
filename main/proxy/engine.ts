/**
 * The proxy engine: the listening server, the pipeline, forwarding and the
 * stats, with settings that can change while it runs. It has no Electron
 * import, so it runs headless, in the tests and in the desktop app's engine
 * process alike.
 */
import { silentLogger, type Logger } from "../../shared/logger.js";
import { parseSettings, type Settings } from "../../shared/settings.js";
import type { StatsSnapshot } from "../../shared/stats.js";
import { identifyClient } from "./client-address.js";
import { CREDENTIAL_CACHE_MAX } from "./credentials.js";
import { formatHostPort, ListenError } from "./listen-error.js";

export { ListenError } from "./listen-error.js";
import { ProxyListener } from "./listener.js";
import { BlockTable, LOCKOUT_TABLE_MAX, LockoutTable } from "./lockout.js";
import { connectionRejection, type PipelineState } from "./pipeline.js";
import { compilePolicy, type Policy } from "./policy.js";
import { logProtection } from "./protection-log.js";
import { RATE_LIMIT_BUCKETS_MAX, RateLimiter } from "./rate-limit.js";
import { RejectionLog } from "./rejection-log.js";
import { RequestHandler } from "./request-handler.js";
import { ConnectionCounter } from "./server.js";
import { Stats } from "./stats.js";
import { Upstream } from "./upstream.js";
import { UPSTREAM_QUEUE_MAX, UpstreamGate } from "./upstream-gate.js";

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

/** Runs the secured reverse proxy in front of one node. */
export class Engine {
  readonly stats = new Stats();
  readonly #log: Logger;
  readonly #rejections: RejectionLog;
  readonly #connections = new ConnectionCounter();
  readonly #state: PipelineState;
  readonly #gate: UpstreamGate;
  readonly #handler: RequestHandler;
  #policy: Policy;
  #upstream: Upstream;
  #listener: ProxyListener | undefined;
  /** Listeners of earlier addresses, still serving the connections they accepted. */
  readonly #retired = new Set<ProxyListener>();
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
        this.#rejections.lockout(client.address, until);
      },
    };
    this.#handler = new RequestHandler({
      stats: this.stats,
      rejections: this.#rejections,
      gate: this.#gate,
      state: this.#state,
      log: this.#log,
      policy: () => this.#policy,
      upstream: () => this.#upstream,
    });
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
    this.#listener = await this.#listen(settings.listen, settings.limits);
    this.#log.info(
      {
        upstream: settings.upstream.url,
        protection: settings.protection.enabled,
      },
      `listening on ${this.#address?.url ?? ""}`,
    );
    logProtection(this.#log, settings);
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

    if (this.#listener && !this.#isBoundTo(next.listen)) {
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
    } else {
      this.#listener?.applyLimits(next.limits);
    }

    this.#applyPolicy(previous, next);
    this.#reviewRejectedConnections();
    this.#log.info(
      { changed: changedSections(previous, next) },
      "settings applied",
    );
    const protectionChanged = (
      ["protection", "basicAuth", "whitelist", "rateLimit", "lockout"] as const
    ).some(
      (key) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]),
    );
    if (protectionChanged || !next.protection.enabled)
      logProtection(this.#log, next);
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
    const listeners = [
      ...this.#retired,
      ...(this.#listener ? [this.#listener] : []),
    ];
    for (const listener of listeners) {
      listener.stopAccepting();
      listener.closeIdle();
    }
    const deadline = Date.now() + graceMs;
    while (this.#connections.open > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const listener of listeners) listener.closeAll();
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
    this.#reviewRejectedConnections();
    this.#log.info({ client: client.address }, "unblocked a client");
  }

  async #listen(
    listen: Settings["listen"],
    limits: Settings["limits"],
  ): Promise<ProxyListener> {
    const listener = new ProxyListener(limits, this.#connections, {
      request: (req, res, client) =>
        void this.#handler.onRequest(req, res, client),
      upgrade: (req, socket, head, client) =>
        void this.#handler.onUpgrade(req, socket, head, client),
      rejected: (client, reason, status, method = "", target = "") =>
        this.#handler.count(
          client,
          reason,
          status,
          method,
          target,
          this.#policy.whitelist.matches(client),
        ),
      connectionRejection: (client) =>
        connectionRejection(client, this.#policy, this.#state),
    });
    const { host, port } = listen;
    let bound: number;
    try {
      bound = await listener.listen(host, port);
    } catch (error) {
      throw new ListenError(host, port, error as NodeJS.ErrnoException);
    }
    this.#address = {
      host,
      port: bound,
      url: `http://${formatHostPort(host, bound)}`,
    };
    return listener;
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

  /** Binds the new address first, so that a failure leaves the old one in place. */
  async #rebind(next: Settings): Promise<void> {
    const old = this.#listener as ProxyListener;
    const previousAddress = this.#address;
    try {
      this.#listener = await this.#listen(next.listen, next.limits);
    } catch (error) {
      this.#address = previousAddress;
      throw error;
    }
    this.#retired.add(old);
    old.stopAccepting(() => this.#retired.delete(old));
    old.closeIdle();
    this.#log.info(`listening on ${this.#address?.url ?? ""}`);
  }

  #reviewRejectedConnections(): void {
    for (const listener of [
      ...this.#retired,
      ...(this.#listener ? [this.#listener] : []),
    ]) {
      listener.reviewRejectedConnections();
    }
  }

  #applyPolicy(previous: Settings, next: Settings): void {
    this.#policy = compilePolicy(next, this.#policy);
    // A new password is how the owner deals with failed logins, so the
    // clients locked out under the old one get a fresh start.
    if (JSON.stringify(previous.basicAuth) !== JSON.stringify(next.basicAuth)) {
      this.#state.lockouts.clearAll();
    }
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

function changedSections(previous: Settings, next: Settings): string[] {
  return (Object.keys(next) as (keyof Settings)[]).filter(
    (key) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]),
  );
}
