/**
 * Forwarding of WebSocket upgrades (Hornet's `/mqtt`). The upgrade has passed
 * the same pipeline as any request before it gets here.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";

import { upstreamRequestHeaders } from "./headers.js";
import { writeRawError } from "./respond.js";

export type UpgradeOutcome =
  | { kind: "upgraded" }
  | { kind: "response"; status: number }
  | { kind: "error" | "timeout"; message: string };

/** Opens the upgrade at the node and splices the two sockets together. */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upstreamUrl: string,
  timeoutMs: number,
): Promise<UpgradeOutcome> {
  const url = new URL(req.url ?? "/", upstreamUrl);
  const headers = {
    ...upstreamRequestHeaders(req.headers, 0, false),
    connection: "Upgrade",
    upgrade: req.headers.upgrade ?? "websocket",
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;

  return new Promise((resolve) => {
    const upstream = send(url, {
      method: req.method,
      headers,
      timeout: timeoutMs,
    });
    socket.once("close", () => upstream.destroy());

    upstream.once("upgrade", (response, upstreamSocket, upstreamHead) => {
      socket.write(statusLine(response) + rawHeaderLines(response) + "\r\n");
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket).pipe(upstreamSocket);
      upstreamSocket.on("error", () => socket.destroy());
      socket.on("error", () => upstreamSocket.destroy());
      resolve({ kind: "upgraded" });
    });
    upstream.once("response", (response) => {
      // The node declined the upgrade, so its response goes on as a plain response.
      socket.write(
        statusLine(response) +
          rawHeaderLines(response, true) +
          "connection: close\r\n\r\n",
      );
      response.pipe(socket);
      resolve({ kind: "response", status: response.statusCode ?? 502 });
    });
    let timedOut = false;
    upstream.once("timeout", () => {
      timedOut = true;
      upstream.destroy(
        new Error(`the node did not respond within ${timeoutMs / 1000} s`),
      );
    });
    upstream.once("error", (error) => {
      // As for requests: 504 when the node is too slow, 502 when it fails.
      if (timedOut) {
        writeRawError(socket, 504, "the node did not respond in time");
        resolve({ kind: "timeout", message: error.message });
      } else {
        writeRawError(socket, 502, "the node is unreachable");
        resolve({ kind: "error", message: error.message });
      }
    });
    upstream.end();
  });
}

function statusLine(response: IncomingMessage): string {
  return `HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? ""}\r\n`;
}

function rawHeaderLines(
  response: IncomingMessage,
  dropConnection = false,
): string {
  let lines = "";
  const raw = response.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] ?? "";
    if (
      dropConnection &&
      /^(connection|keep-alive|transfer-encoding)$/i.test(name)
    )
      continue;
    lines += `${name}: ${raw[index + 1] ?? ""}\r\n`;
  }
  return lines;
}
