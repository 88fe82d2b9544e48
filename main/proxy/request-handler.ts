/**
 * Handling of each request and upgrade once the listener has handed it
 * over. The pipeline decides; this module carries the decision out, counts
 * it and forwards what passes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

import type { Logger } from "../../shared/logger.js";
import type { RejectionReason } from "../../shared/stats.js";
import type { ClientIdentity } from "./client-address.js";
import { admit, type PipelineState, type Rejection } from "./pipeline.js";
import type { Policy } from "./policy.js";
import type { RejectionLog } from "./rejection-log.js";
import { sendError, sendPreflight, writeRawError } from "./respond.js";
import type { Stats } from "./stats.js";
import type { ForwardOutcome, Upstream } from "./upstream.js";
import type { UpstreamGate } from "./upstream-gate.js";
import { forwardUpgrade } from "./upgrade.js";

/** The engine state that request handling reads; the policy and upstream change with the settings. */
export interface HandlerContext {
  readonly stats: Stats;
  readonly rejections: RejectionLog;
  readonly gate: UpstreamGate;
  readonly state: PipelineState;
  readonly log: Logger;
  policy(): Policy;
  upstream(): Upstream;
}

/** Handles the requests and upgrades of one engine. */
export class RequestHandler {
  readonly #context: HandlerContext;

  constructor(context: HandlerContext) {
    this.#context = context;
  }

  async onRequest(
    req: IncomingMessage,
    res: ServerResponse,
    client: ClientIdentity,
  ): Promise<void> {
    req.on("error", () => undefined);
    try {
      const policy = this.#context.policy();
      const admission = await admit(req, client, policy, this.#context.state);
      if (admission.kind === "aborted") return;
      if (admission.kind === "preflight") {
        this.#context.stats.recordPreflight({
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
      this.#context.log.error(
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
    const pending = this.#context.gate.acquire(client.key, (cancel) =>
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
      outcome = await this.#context.upstream().forward(req, res, body);
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
      if (this.#context.stats.upstreamReachable === false) {
        this.#context.log.info(
          { upstream: this.#context.upstream().url },
          "the node responds again",
        );
      }
      this.#context.stats.recordForwarded(
        statsClient,
        outcome.status,
        outcome.latencyMs,
      );
      return;
    }
    if (outcome.kind === "aborted") return;

    const wasReachable = this.#context.stats.upstreamReachable;
    this.#context.stats.recordUpstreamFailure(outcome.kind, outcome.message);
    // Only the change from reachable to unreachable is logged: a node that
    // is down would otherwise log a line per request.
    if (wasReachable !== false) {
      const url = this.#context.upstream().url;
      this.#context.log.warn(
        { err: outcome.message, upstream: url },
        outcome.kind === "timeout"
          ? `the node at ${url} did not respond in time, so requests get 504 until it does`
          : `cannot reach the node at ${url}, so requests get 502 until it is back. Check that the node is running.`,
      );
    }
    if (res.headersSent) return;
    if (outcome.kind === "timeout")
      sendError(res, 504, "the node did not respond in time");
    else sendError(res, 502, "the node is unreachable");
  }

  async onUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    client: ClientIdentity,
  ): Promise<void> {
    socket.on("error", () => socket.destroy());
    try {
      const admission = await admit(
        req,
        client,
        this.#context.policy(),
        this.#context.state,
      );
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
        this.count(
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
        this.#context.upstream().url,
        this.#context.policy().settings.upstream.timeoutSeconds * 1000,
      );
      const statsClient = {
        address: client.address,
        whitelisted: admission.trusted,
      };
      if (outcome.kind === "upgraded") {
        this.#context.stats.recordForwarded(statsClient, 101, 0);
      } else if (outcome.kind === "response") {
        this.#context.stats.recordForwarded(statsClient, outcome.status, 0);
      } else {
        this.#context.stats.recordUpstreamFailure(
          outcome.kind,
          outcome.message,
        );
      }
    } catch (error) {
      this.#context.log.error(
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
    this.count(
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

  count(
    client: ClientIdentity,
    reason: RejectionReason,
    status: number,
    method: string,
    target: string,
    trusted: boolean,
  ): void {
    this.#context.stats.recordRejected(
      { address: client.address, whitelisted: trusted },
      reason,
      status,
      method,
      target,
    );
    this.#context.rejections.count(reason, client.address);
  }
}
