/**
 * Test helpers: an engine in front of a test node, and a one-shot HTTP
 * client that can send from another loopback address (127.0.0.2 and up are
 * remote clients to the engine, as only 127.0.0.1 and ::1 are localhost).
 */
import {
  request,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from "node:http";

import { Engine } from "../../main/proxy/engine.js";
import type { Logger } from "../../shared/logger.js";
import { parseSettings, type SettingsInput } from "../../shared/settings.js";
import { startTestNode, type TestIotaNode } from "./iota-node.js";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface SendOptions {
  port: number;
  method?: string;
  path?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Local address to send from. */
  from?: string;
  host?: string;
}

/** Sends one request on a fresh connection and reads the whole reply. */
export function send(options: SendOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? "127.0.0.1",
        port: options.port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: options.headers,
        localAddress: options.from,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text === "" ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Sends a legacy API command. */
export function sendCommand(
  port: number,
  command: string,
  options: Omit<SendOptions, "port" | "body" | "method" | "path"> & {
    extra?: Record<string, unknown>;
  } = {},
): Promise<Reply> {
  const body = JSON.stringify({ command, ...options.extra });
  return send({
    ...options,
    port,
    method: "POST",
    path: "/",
    body,
    headers: {
      "content-type": "application/json",
      "x-iota-api-version": "1",
      ...options.headers,
    },
  });
}

/** Returns a Basic `Authorization` header value. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** A Hornet `basicAuth` block (SHA-256 scheme) for password `iota` and salt `mysecretsalt`. */
export const HORNET_AUTH = {
  enabled: true,
  username: "admin",
  passwordHash:
    "6d2c5b160faf1603fc21df32597f2bfdf30a5cf87e44e41bd6160547214bad6e",
  passwordSalt: "mysecretsalt",
};

export interface ProxyFixture {
  node: TestIotaNode;
  engine: Engine;
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface ProxyOptions {
  logger?: Logger;
}

/** Starts a test node and an engine in front of it on 127.0.0.1, port 0. */
export async function startProxy(
  settings: SettingsInput = {},
  options: ProxyOptions = {},
): Promise<ProxyFixture> {
  const node = await startTestNode();
  const parsed = parseSettings({
    ...settings,
    listen: { host: "127.0.0.1", port: 0, ...settings.listen },
    upstream: { url: node.url, ...settings.upstream },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const engine = new Engine(
    parsed.settings,
    options.logger ? { logger: options.logger } : {},
  );
  const address = await engine.start();
  return {
    node,
    engine,
    port: address.port,
    url: address.url,
    async close() {
      await engine.stop(100);
      await node.stop();
    },
  };
}
