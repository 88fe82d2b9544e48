/**
 * Forwarding to the node over a keep-alive connection pool, with the node's
 * response streamed back unchanged but for its hop-by-hop headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import { errors, Pool } from "undici";

import type { Settings } from "../../shared/settings.js";
import { upstreamRequestHeaders } from "./headers.js";
import { ResponseRelay, type RelayOutcome } from "./response-relay.js";

/** Outcome of a forwarded request. */
export type ForwardOutcome =
  | { kind: "response"; status: number; latencyMs: number }
  | { kind: "error"; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "aborted" };

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
const CONNECT_TIMEOUT_MS = 5_000;

/** The connection pool to one node. */
export class Upstream {
  readonly url: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;

  constructor(settings: Settings) {
    this.url = settings.upstream.url;
    this.#timeoutMs = settings.upstream.timeoutSeconds * 1000;
    this.#connectTimeoutMs = Math.min(CONNECT_TIMEOUT_MS, this.#timeoutMs);
    this.#pool = new Pool(new URL(this.url).origin, {
      connections: settings.limits.maxUpstreamRequests,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      connect: { timeout: this.#connectTimeoutMs },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
  }

  /**
   * Sends the request to the node and passes the response to `res`. When
   * the node fails before the status line is out, nothing is written and
   * the outcome gives the reason, so the caller can respond with 502 or 504.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<ForwardOutcome> {
    const method = req.method ?? "GET";
    const sendsBody = body.length > 0 || METHODS_WITH_BODY.has(method);
    return new Promise((resolve) => {
      const handler = new ResponseRelay(res, (outcome) =>
        resolve(this.#outcome(outcome, res)),
      );
      this.#pool.dispatch(
        {
          path: req.url ?? "/",
          method,
          headers: upstreamRequestHeaders(req.headers, body.length, sendsBody),
          body: sendsBody ? body : null,
        },
        handler,
      );
    });
  }

  #outcome(relayed: RelayOutcome, res: ServerResponse): ForwardOutcome {
    if (relayed.kind === "done")
      return {
        kind: "response",
        status: relayed.status,
        latencyMs: relayed.latencyMs,
      };
    return this.#failure(relayed.error, relayed.kind === "aborted", res);
  }

  #failure(
    error: unknown,
    aborted: boolean,
    res: ServerResponse,
  ): ForwardOutcome {
    if (aborted) return { kind: "aborted" };
    // Once the status line is out, the client can only learn of the failure
    // from a cut connection.
    if (res.headersSent) res.destroy();

    if (
      error instanceof errors.HeadersTimeoutError ||
      error instanceof errors.BodyTimeoutError
    ) {
      return {
        kind: "timeout",
        message: `the node did not respond within ${this.#timeoutMs / 1000} s`,
      };
    }
    if (error instanceof errors.ConnectTimeoutError) {
      return {
        kind: "timeout",
        message: `connecting to the node timed out after ${this.#connectTimeoutMs / 1000} s`,
      };
    }
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "error", message: code ? `${code}: ${message}` : message };
  }

  /** Closes idle connections and lets requests in flight finish. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Ends every connection at once. */
  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }
}
