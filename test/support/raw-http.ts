/**
 * Test helpers for raw HTTP/1.1 on a plain TCP socket: bytes that Node's
 * HTTP client does not send (two framings, pipelined requests, bytes one at
 * a time), and a reader of the responses that come back.
 */
import { connect, type Socket } from "node:net";

/** One response read off the socket. */
export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers are joined with ", ". */
  headers: Record<string, string>;
  body: string;
  json: unknown;
}

/** What came back on one connection. */
export interface RawExchange {
  responses: RawResponse[];
  /** Everything received, as latin1 text. */
  text: string;
  /** Whether the engine closed the connection before the wait ended. */
  closed: boolean;
  /** Milliseconds from connecting until the close or the end of the wait. */
  elapsedMs: number;
}

export interface ExchangeOptions {
  /** Local address to send from; 127.0.0.2 and up are remote clients. */
  from?: string;
  host?: string;
  /** Stop waiting once this many complete responses have arrived. */
  responses?: number;
  /** Maximum wait in milliseconds. */
  timeoutMs?: number;
  /** Pause between the pieces of `data`, in milliseconds. */
  pauseMs?: number;
}

/**
 * Opens a connection, writes `data` (an array is written piece by piece,
 * `pauseMs` apart) and reads until the connection closes, the expected
 * number of responses has arrived or `timeoutMs` passes.
 */
export function exchange(
  port: number,
  data: string | Buffer | readonly (string | Buffer)[],
  options: ExchangeOptions = {},
): Promise<RawExchange> {
  const pieces = Array.isArray(data) ? data : [data];
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({
      port,
      host: options.host ?? "127.0.0.1",
      localAddress: options.from ?? "127.0.0.2",
    });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({
        responses: parseResponses(text),
        text,
        closed,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 2000);

    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const expected = options.responses;
      if (expected !== undefined) {
        const text = Buffer.concat(chunks).toString("latin1");
        if (parseResponses(text).length >= expected) finish(false);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => finish(true));
    socket.on(
      "connect",
      () => void writePieces(socket, pieces, options.pauseMs ?? 0),
    );
  });
}

async function writePieces(
  socket: Socket,
  pieces: readonly (string | Buffer)[],
  pauseMs: number,
): Promise<void> {
  for (const [index, piece] of pieces.entries()) {
    if (socket.destroyed) return;
    if (index > 0 && pauseMs > 0) await sleep(pauseMs);
    if (socket.destroyed) return;
    socket.write(piece);
  }
}

/**
 * Parses the complete responses in `text`. A response without
 * `Content-Length` is complete when the text ends.
 */
export function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  while (rest.startsWith("HTTP/")) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd === -1) break;
    const [statusLine = "", ...lines] = rest.slice(0, headEnd).split("\r\n");
    const status = Number(statusLine.split(" ")[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] ? `${headers[name]}, ${value}` : value;
    }
    rest = rest.slice(headEnd + 4);
    // An interim response such as 100 Continue has no body.
    if (status >= 100 && status < 200) {
      responses.push({ status, headers, body: "", json: undefined });
      continue;
    }
    const length =
      headers["content-length"] === undefined
        ? rest.length
        : Number(headers["content-length"]);
    if (rest.length < length) break;
    const body = rest.slice(0, length);
    rest = rest.slice(length);
    responses.push({ status, headers, body, json: parseJson(body) });
  }
  return responses;
}

/** Builds a request with a correct Content-Length for `body`. */
export function rawRequest(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = "",
): string {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: node-shield.test"];
  for (const [name, value] of Object.entries(headers))
    lines.push(`${name}: ${value}`);
  if (body !== "" || method === "POST")
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Encodes `body` as one chunk followed by the last chunk. */
export function chunked(body: string): string {
  const size = Buffer.byteLength(body).toString(16);
  return `${size}\r\n${body}\r\n0\r\n\r\n`;
}

function parseJson(text: string): unknown {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
