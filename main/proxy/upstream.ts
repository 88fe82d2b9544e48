/**
 * Forwarding to the node over a keep-alive connection pool, with the node's
 * response streamed back unchanged but for its hop-by-hop headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";

import { errors, Pool } from "undici";

import type { Settings } from "../../shared/settings.js";
import { clientResponseHeaders, upstreamRequestHeaders } from "./headers.js";

/** How a forwarded request ended. */
export type ForwardOutcome =
  | { kind: "response"; status: number; latencyMs: number }
  | { kind: "error"; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "aborted" };

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Largest response, by its Content-Length, that is read whole before its
 * status line goes to the client, so that a node failing in the middle of
 * it still gets the client a 502. With the default of 64 upstream requests
 * at once, these buffers take at most 16 MiB.
 */
export const BUFFERED_RESPONSE_MAX = 256 * 1024;

/** The connection pool to one node. */
export class Upstream {
  readonly url: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;

  constructor(settings: Settings) {
    this.url = settings.upstream.url;
    this.#timeoutMs = settings.upstream.timeoutSeconds * 1000;
    this.#pool = new Pool(new URL(this.url).origin, {
      connections: settings.limits.maxUpstreamRequests,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      connect: { timeout: Math.min(CONNECT_TIMEOUT_MS, this.#timeoutMs) },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
  }

  /**
   * Sends the request to the node and streams the response to `res`. When
   * the node fails before answering, nothing is written and the outcome
   * says why, so the caller can answer 502 or 504.
   */
  async forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<ForwardOutcome> {
    const started = performance.now();
    const method = req.method ?? "GET";
    const sendsBody = body.length > 0 || METHODS_WITH_BODY.has(method);
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once("close", onClose);

    let status = 0;
    try {
      await this.#pool.stream(
        {
          path: req.url ?? "/",
          method,
          headers: upstreamRequestHeaders(req.headers, body.length, sendsBody),
          body: sendsBody ? body : null,
          signal: abort.signal,
        },
        ({ statusCode, headers }) => {
          status = statusCode;
          const outgoing = clientResponseHeaders(
            headers as IncomingMessage["headers"],
          );
          const length = Number(headers["content-length"]);
          if (Number.isInteger(length) && length <= BUFFERED_RESPONSE_MAX) {
            return collectBody((body) => {
              res.writeHead(statusCode, outgoing);
              res.end(body);
            });
          }
          // NOTE: a larger response, or one without a Content-Length, is
          // streamed, so a node failing in its middle cuts the connection.
          res.writeHead(statusCode, outgoing);
          return relayTo(res);
        },
      );
      return {
        kind: "response",
        status,
        latencyMs: performance.now() - started,
      };
    } catch (error) {
      // A closed client aborts the request, but so does the end of a
      // response that the node cut short: only the abort error itself is
      // the client's doing.
      const aborted = abort.signal.aborted && isAbortError(error);
      return this.#failure(error, aborted, res);
    } finally {
      res.off("close", onClose);
    }
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
        message: `the node did not answer within ${this.#timeoutMs / 1000} s`,
      };
    }
    if (error instanceof errors.ConnectTimeoutError) {
      return {
        kind: "timeout",
        message: `connecting to the node timed out after ${CONNECT_TIMEOUT_MS / 1000} s`,
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

/** Returns a stream that gathers a response body and hands it on at its end. */
function collectBody(onEnd: (body: Buffer) => void): Writable {
  const chunks: Buffer[] = [];
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
    final(callback) {
      onEnd(Buffer.concat(chunks));
      callback();
    },
  });
}

/**
 * Returns a stream that writes through to `res`. undici destroys the stream
 * it writes to when the node fails, and with this one in between, that
 * failure reaches the caller as the node's error rather than as the
 * response's premature close, which a leaving client causes too.
 */
function relayTo(res: ServerResponse): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (res.write(chunk)) callback();
      else res.once("drain", () => callback());
    },
    final(callback) {
      res.end();
      callback();
    },
  });
}

function isAbortError(error: unknown): boolean {
  return (
    error instanceof errors.RequestAbortedError ||
    (error instanceof Error && error.name === "AbortError")
  );
}
