/**
 * Responses that the engine writes itself: JSON errors in the shape IOTA
 * clients already parse (`{"error": "…"}`), the CORS preflight, and raw
 * responses on sockets that have no `ServerResponse` (upgrades, refused
 * connections, parse errors).
 */
import type { ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** Headers that let a browser wallet on any origin read the response. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Retry-After, WWW-Authenticate",
};

/** Headers of the response to a CORS preflight. */
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
  ...CORS_HEADERS,
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  // Named one by one: a `*` here does not cover Authorization (Fetch standard).
  "access-control-allow-headers":
    "Authorization, Content-Type, X-IOTA-API-Version",
  "access-control-max-age": "600",
};

export type HeaderMap = Readonly<Record<string, string>>;

// Header lines every error response carries, as the flat list that
// writeHead takes, built once instead of per rejection.
const ERROR_HEADER_LIST: readonly string[] = [
  ...Object.entries(CORS_HEADERS).flat(),
  "content-type",
  "application/json; charset=utf-8",
  "cache-control",
  "no-store",
];

/** Sends `{"error": message}` with the CORS headers. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers?: HeaderMap,
  closeConnection = false,
): void {
  const body = Buffer.from(JSON.stringify({ error: message }));
  const list = [...ERROR_HEADER_LIST, "content-length", String(body.length)];
  if (headers)
    for (const name in headers) list.push(name, headers[name] as string);
  if (closeConnection) list.push("connection", "close");
  res.writeHead(status, list);
  res.end(body);
}

/** Responds to a CORS preflight. */
export function sendPreflight(res: ServerResponse): void {
  res.writeHead(204, PREFLIGHT_HEADERS);
  res.end();
}

/**
 * Returns a complete HTTP/1.1 error response as bytes, for sockets that
 * have no `ServerResponse`. With `close`, it tells the client that the
 * connection ends after it.
 */
export function rawResponse(
  status: number,
  message: string,
  close: boolean,
  headers: HeaderMap = {},
): Buffer {
  const body = JSON.stringify({ error: message });
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`];
  const all: Record<string, string | number> = {
    ...CORS_HEADERS,
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    connection: close ? "close" : "keep-alive",
  };
  for (const [name, value] of Object.entries(all))
    lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`, "utf8");
}

/**
 * Writes a complete HTTP/1.1 error response on a raw socket and closes it.
 * Used where no `ServerResponse` exists, so a rejected upgrade gets a plain
 * HTTP error and never 101.
 */
export function writeRawError(
  socket: Duplex,
  status: number,
  message: string,
  headers: HeaderMap = {},
): void {
  if (socket.destroyed) return;
  socket.end(rawResponse(status, message, true, headers));
}
