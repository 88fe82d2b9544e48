/**
 * The undici dispatch handler that relays the node's response to the
 * client. It is the lowest-cost way to forward: no stream objects and no
 * abort signal per request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import type { Dispatcher } from "undici";

import { clientResponseHeaders } from "./headers.js";

/**
 * Largest response, by its Content-Length, that is read whole before its
 * status line goes to the client, so that a node failing in the middle of
 * it still gets the client a 502. With the default of 64 upstream requests
 * at once, these buffers take at most 16 MiB.
 */
export const BUFFERED_RESPONSE_MAX = 256 * 1024;

/** Outcome of a relayed response. */
export type RelayOutcome =
  | { kind: "done"; status: number; latencyMs: number }
  | { kind: "failed"; error: Error }
  | { kind: "aborted"; error: Error };

const CLIENT_GONE = new Error("the client closed the connection");

/** Relays one response to the client and calls `done` once, when it ends. */
export class ResponseRelay implements Dispatcher.DispatchHandler {
  readonly #res: ServerResponse;
  readonly #done: (outcome: RelayOutcome) => void;
  readonly #started = performance.now();
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #headers: ReturnType<typeof clientResponseHeaders> | undefined;
  /** Chunks of a buffered response; undefined once the response streams. */
  #chunks: Buffer[] | undefined;
  #finished = false;
  #clientGone = false;

  constructor(res: ServerResponse, done: (outcome: RelayOutcome) => void) {
    this.#res = res;
    this.#done = done;
    res.once("close", this.#onClientClose);
  }

  // A client that goes away aborts its request at the node.
  readonly #onClientClose = () => {
    if (this.#finished) return;
    this.#clientGone = true;
    this.#controller?.abort(CLIENT_GONE);
  };

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(CLIENT_GONE);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingMessage["headers"],
  ): void {
    // Informational responses (100 Continue, 103 Early Hints) are not relayed.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = clientResponseHeaders(headers);
    const length = Number(headers["content-length"]);
    if (Number.isInteger(length) && length <= BUFFERED_RESPONSE_MAX) {
      this.#chunks = [];
      return;
    }
    // NOTE: a larger response, or one without a Content-Length, is
    // streamed, so a node failing in its middle cuts the connection.
    this.#res.writeHead(statusCode, this.#headers);
    this.#res.on("drain", () => controller.resume());
  }

  onResponseData(
    controller: Dispatcher.DispatchController,
    chunk: Buffer,
  ): void {
    if (this.#chunks) {
      this.#chunks.push(chunk);
      return;
    }
    if (!this.#res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    if (this.#chunks) {
      this.#res.writeHead(this.#status, this.#headers);
      this.#res.end(
        this.#chunks.length === 1
          ? this.#chunks[0]
          : Buffer.concat(this.#chunks),
      );
    } else {
      this.#res.end();
    }
    this.#finish({
      kind: "done",
      status: this.#status,
      latencyMs: performance.now() - this.#started,
    });
  }

  onResponseError(
    _controller: Dispatcher.DispatchController,
    error: Error,
  ): void {
    this.#finish(
      this.#clientGone ? { kind: "aborted", error } : { kind: "failed", error },
    );
  }

  #finish(outcome: RelayOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#res.off("close", this.#onClientClose);
    this.#done(outcome);
  }
}
