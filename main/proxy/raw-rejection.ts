/**
 * Rejects, before any HTTP processing, the connections whose every request
 * would be rejected: clients outside the whitelist and blocked addresses.
 * Such a connection never reaches the HTTP server or the node. This only delimits
 * requests, so that a keep-alive client gets one response per request, which
 * costs a fraction of a full parse and keeps a flood from these clients
 * from slowing everyone else down.
 */
import type { Socket } from "node:net";

import type { Settings } from "../../shared/settings.js";
import type { RejectionReason } from "../../shared/stats.js";
import { DISCARDED_BODY_MAX } from "./pipeline.js";
import { rawResponse } from "./respond.js";

/** The rejection that every request of the connection gets. */
export interface ConnectionRejection {
  status: number;
  reason: RejectionReason;
  message: string;
}

/** Called for every request rejected, and for malformed input. */
export type RawRejectionListener = (
  reason: RejectionReason,
  status: number,
  method: string,
  target: string,
) => void;

const HEAD_END = Buffer.from("\r\n\r\n");
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;

/** Serves one connection of a rejected client until it closes. */
export class RawRejection {
  readonly socket: Socket;
  readonly #response: Buffer;
  readonly #closingResponse: Buffer;
  readonly #rejection: ConnectionRejection;
  readonly #limits: Settings["limits"];
  readonly #onRequest: RawRejectionListener;
  #buffer: Buffer = Buffer.alloc(0);
  /** Body bytes of the last request still to skip. */
  #skip = 0;
  #headTimer: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(
    socket: Socket,
    rejection: ConnectionRejection,
    limits: Settings["limits"],
    onRequest: RawRejectionListener,
  ) {
    this.socket = socket;
    this.#rejection = rejection;
    this.#limits = limits;
    this.#onRequest = onRequest;
    this.#response = rawResponse(rejection.status, rejection.message, false);
    this.#closingResponse = rawResponse(
      rejection.status,
      rejection.message,
      true,
    );

    socket.setNoDelay(true);
    socket.setTimeout(limits.keepAliveTimeoutSeconds * 1000, () =>
      socket.destroy(),
    );
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("close", () => clearTimeout(this.#headTimer));
    this.#startHeadTimer();
  }

  /** Ends the connection after the current response, because the client may now be let in. */
  release(): void {
    if (this.#buffer.length === 0 && this.#skip === 0) this.socket.end();
    else this.#closing = true;
  }

  #startHeadTimer(): void {
    clearTimeout(this.#headTimer);
    this.#headTimer = setTimeout(
      () => this.#fail("timeout", 408, "the request was not received in time"),
      this.#limits.headersTimeoutSeconds * 1000,
    );
  }

  #onData(chunk: Buffer): void {
    if (this.#skip > 0) {
      const skipped = Math.min(this.#skip, chunk.length);
      this.#skip -= skipped;
      chunk = chunk.subarray(skipped);
      if (chunk.length === 0) return;
    }
    this.#buffer =
      this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);

    while (!this.socket.destroyed) {
      const end = this.#buffer.indexOf(HEAD_END);
      if (end === -1) {
        if (this.#buffer.length > this.#limits.maxHeaderBytes)
          this.#fail(
            "headersTooLarge",
            431,
            "the request headers are too large",
          );
        return;
      }
      if (end > this.#limits.maxHeaderBytes) {
        this.#fail("headersTooLarge", 431, "the request headers are too large");
        return;
      }
      const head = this.#buffer.toString("latin1", 0, end);
      const rest = this.#buffer.subarray(end + HEAD_END.length);
      if (!this.#respond(head)) return;

      const skipped = Math.min(this.#skip, rest.length);
      this.#skip -= skipped;
      this.#buffer = rest.subarray(skipped);
      this.#startHeadTimer();
      if (this.#skip > 0 || this.#buffer.length === 0) {
        if (this.#closing && this.#skip === 0) this.socket.end();
        return;
      }
    }
  }

  /** Responds to one request head. Returns false when the connection is closing. */
  #respond(head: string): boolean {
    const lineEnd = head.indexOf("\r\n");
    const line = lineEnd === -1 ? head : head.slice(0, lineEnd);
    const match = REQUEST_LINE.exec(line);
    if (!match) {
      this.#fail("badRequest", 400, "the request is not valid HTTP");
      return false;
    }
    const [, method = "", target = "", minor] = match;
    const framing = bodyFraming(head.slice(lineEnd + 2));
    const keepAlive =
      !this.#closing &&
      minor === "1" &&
      framing.length !== undefined &&
      framing.length <= DISCARDED_BODY_MAX &&
      !framing.close;

    this.#onRequest(
      this.#rejection.reason,
      this.#rejection.status,
      method,
      target,
    );
    if (!keepAlive) {
      this.socket.end(this.#closingResponse);
      clearTimeout(this.#headTimer);
      return false;
    }
    this.#skip = framing.length ?? 0;
    this.socket.write(this.#response);
    return true;
  }

  #fail(reason: RejectionReason, status: number, message: string): void {
    clearTimeout(this.#headTimer);
    if (this.socket.destroyed) return;
    this.#onRequest(reason, status, "", "");
    this.socket.end(rawResponse(status, message, true));
  }
}

/**
 * Reads how the body after a request head is framed. `length` is undefined
 * when it cannot be skipped safely: chunked, another coding, or a length
 * that is not one plain number.
 */
export function bodyFraming(headers: string): {
  length: number | undefined;
  close: boolean;
} {
  let length: number | undefined = 0;
  let seenLength = false;
  let close = false;
  for (const line of headers.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "transfer-encoding") length = undefined;
    else if (name === "content-length") {
      if (seenLength || !/^\d{1,15}$/.test(value)) length = undefined;
      else if (length !== undefined) length = Number(value);
      seenLength = true;
    } else if (name === "connection" && /(^|,)\s*close\s*(,|$)/i.test(value)) {
      close = true;
    }
  }
  return { length, close };
}
