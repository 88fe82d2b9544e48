/**
 * A load generator on raw sockets that can send from any loopback address,
 * which wrk cannot: 127.0.0.2 and up are remote clients to Node Shield.
 *
 * Each connection keeps one request in flight (a closed loop, as wrk does),
 * or sends at a fixed rate. Responses are read just far enough to count the
 * status and find the end of the body.
 */
import { connect, type Socket } from "node:net";
import { createHistogram } from "node:perf_hooks";

export interface BlastOptions {
  host: string;
  port: number;
  /** Complete HTTP/1.1 request, sent again for every request. */
  request: string;
  connections: number;
  durationMs: number;
  /** Source addresses, given to the connections in turn. */
  localAddresses?: string[];
  /** Requests per second over all connections; without it, as fast as the server responds. */
  ratePerSecond?: number;
  /** Close a connection after this many responses and open the next from the next address. */
  requestsPerConnection?: number;
  /** Stop after this many requests in all. */
  maxRequests?: number;
}

export interface BlastResult {
  sent: number;
  completed: number;
  statuses: Record<string, number>;
  errors: number;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

interface Parsed {
  status: number;
  /** Bytes the response takes in the buffer, or -1 when it is not complete yet. */
  length: number;
}

/** Finds one complete response at the start of `buffer`. */
export function parseResponse(buffer: Buffer): Parsed {
  const headerEnd = buffer.indexOf("\r\n\r\n");
  if (headerEnd === -1) return { status: 0, length: -1 };
  const head = buffer.toString("latin1", 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headerEnd + 4;

  const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (lengthMatch) {
    const end = bodyStart + Number(lengthMatch[1]);
    return { status, length: buffer.length >= end ? end : -1 };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let offset = bodyStart;
    for (;;) {
      const lineEnd = buffer.indexOf("\r\n", offset);
      if (lineEnd === -1) return { status, length: -1 };
      const size = parseInt(buffer.toString("latin1", offset, lineEnd), 16);
      offset = lineEnd + 2 + size + 2;
      if (offset > buffer.length) return { status, length: -1 };
      if (size === 0) return { status, length: offset };
    }
  }
  // 204, 304 and HEAD responses have no body.
  return { status, length: bodyStart };
}

/** Sends load for `durationMs` and returns what came back. */
export function blast(options: BlastOptions): Promise<BlastResult> {
  const latency = createHistogram();
  const statuses: Record<string, number> = {};
  const request = Buffer.from(options.request, "latin1");
  const addresses = options.localAddresses ?? [undefined];
  const started = performance.now();
  const deadline = started + options.durationMs;
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let nextAddress = 0;
  let open = 0;
  const limitReached = () =>
    options.maxRequests !== undefined && sent >= options.maxRequests;
  const interval = options.ratePerSecond
    ? (1000 * options.connections) / options.ratePerSecond
    : 0;

  return new Promise((resolve) => {
    const finish = () => {
      const durationMs = performance.now() - started;
      const ms = (p: number) =>
        latency.count === 0 ? 0 : latency.percentile(p) / 1e6;
      resolve({
        sent,
        completed,
        statuses,
        errors,
        durationMs,
        requestsPerSecond: (completed * 1000) / durationMs,
        latencyMs: {
          p50: ms(50),
          p90: ms(90),
          p99: ms(99),
          max: latency.count === 0 ? 0 : latency.max / 1e6,
        },
      });
    };

    const openConnection = (slot: number): void => {
      if (performance.now() >= deadline || limitReached()) {
        if (open === 0) finish();
        return;
      }
      const localAddress = addresses[nextAddress++ % addresses.length];
      const socket: Socket = connect({
        host: options.host,
        port: options.port,
        ...(localAddress ? { localAddress } : {}),
      });
      socket.setNoDelay(true);
      open++;
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let inFlight = false;
      let answered = 0;
      let timer: NodeJS.Timeout | undefined;
      let scheduledAt =
        performance.now() + (interval * slot) / options.connections;

      const sendOne = () => {
        if (
          performance.now() >= deadline ||
          limitReached() ||
          socket.destroyed
        ) {
          socket.destroy();
          return;
        }
        inFlight = true;
        sentAt = interval
          ? Math.min(scheduledAt, performance.now())
          : performance.now();
        sent++;
        socket.write(request);
      };
      const scheduleNext = () => {
        if (!interval) return sendOne();
        scheduledAt += interval;
        timer = setTimeout(
          sendOne,
          Math.max(0, scheduledAt - performance.now()),
        );
      };

      socket.on("connect", () =>
        interval
          ? (timer = setTimeout(
              sendOne,
              Math.max(0, scheduledAt - performance.now()),
            ))
          : sendOne(),
      );
      socket.on("data", (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const parsed = parseResponse(buffer);
          if (parsed.length === -1) return;
          buffer = buffer.subarray(parsed.length);
          completed++;
          inFlight = false;
          statuses[parsed.status] = (statuses[parsed.status] ?? 0) + 1;
          latency.record(
            Math.max(1, Math.round((performance.now() - sentAt) * 1e6)),
          );
          answered++;
          if (
            options.requestsPerConnection !== undefined &&
            answered >= options.requestsPerConnection
          ) {
            socket.destroy();
            return;
          }
          scheduleNext();
        }
      });
      socket.on("error", () => {
        errors++;
        if (inFlight) statuses.error = (statuses.error ?? 0) + 1;
      });
      socket.on("close", () => {
        open--;
        if (timer) clearTimeout(timer);
        openConnection(slot);
      });
    };

    for (let slot = 0; slot < options.connections; slot++) openConnection(slot);
  });
}

/** Builds a legacy API request. */
export function legacyRequest(
  command: string,
  headers: Record<string, string> = {},
): string {
  const body = JSON.stringify({ command });
  const lines = [
    "POST / HTTP/1.1",
    "host: bench",
    "content-type: application/json",
    "x-iota-api-version: 1",
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Returns `count` distinct loopback addresses from 127.`first`.0.1 on. */
export function loopbackAddresses(count: number, first = 1): string[] {
  const addresses: string[] = [];
  for (let index = 0; index < count; index++) {
    const value = index + 1;
    addresses.push(
      `127.${first + Math.floor(value / 65_536)}.${Math.floor(value / 256) % 256}.${value % 256}`,
    );
  }
  return addresses;
}
