/**
 * Runs inside a network namespace (see test/support/netns.ts) and prints
 * JSON: what an engine on a dual-stack `::` listener does with IPv4-mapped
 * clients, and with IPv6 clients that rotate addresses inside one /64.
 */
import { connect, type Socket } from "node:net";

import { send, startProxy } from "../../support/http.js";

const SAME_64 = Array.from({ length: 8 }, (_, i) => `2001:db8::${i + 1}`);
const OTHER_64 = "2001:db8:0:1::1";

async function statuses(
  port: number,
  sources: readonly string[],
): Promise<number[]> {
  const result: number[] = [];
  for (const from of sources) {
    const reply = await send({ port, host: "::1", from, path: "/health" });
    result.push(reply.status);
  }
  return result;
}

function openIdle(port: number, from: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "::1", localAddress: from });
    socket.on("error", () => undefined);
    socket.on("connect", () => resolve(socket));
  });
}

async function mappedClients() {
  const proxy = await startProxy({
    listen: { host: "::", port: 0 },
    whitelist: { enabled: true, addresses: ["127.0.0.2", "2001:db8::/64"] },
    rateLimit: { enabled: false },
  });
  const whitelisted = await send({
    port: proxy.port,
    from: "127.0.0.2",
    path: "/health",
  });
  const other = await send({
    port: proxy.port,
    from: "127.0.0.3",
    path: "/health",
  });
  const localhost = await send({ port: proxy.port, path: "/health" });
  const ipv6 = await send({
    port: proxy.port,
    host: "::1",
    from: "2001:db8::7",
    path: "/health",
  });
  const clients = proxy.engine
    .snapshot()
    .clients.map((row) => row.address)
    .sort();
  const received = proxy.node.received.length;
  await proxy.close();
  return {
    whitelisted: whitelisted.status,
    other: other.status,
    localhost: localhost.status,
    ipv6: ipv6.status,
    clients,
    received,
  };
}

async function rotation() {
  const proxy = await startProxy({
    listen: { host: "::", port: 0 },
    whitelist: { enabled: false },
    rateLimit: { enabled: true, requestsPerSecond: 0.01, burst: 3 },
  });
  const sameStatuses = await statuses(proxy.port, SAME_64);
  const otherStatuses = await statuses(proxy.port, [OTHER_64]);
  const buckets = proxy.engine.snapshot().tables.rateLimitBuckets.size;
  const received = proxy.node.received.length;
  await proxy.close();
  return { same: sameStatuses, other: otherStatuses, buckets, received };
}

async function connectionCap() {
  const proxy = await startProxy({
    listen: { host: "::", port: 0 },
    whitelist: { enabled: false },
    rateLimit: { enabled: false },
    limits: { maxConnectionsPerClient: 4 },
  });
  const sockets = await Promise.all(
    SAME_64.slice(0, 6).map((from) => openIdle(proxy.port, from)),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const open = proxy.engine.snapshot().openConnections;
  const rejected = proxy.engine.snapshot().rejected.connectionLimit;
  const other = await send({
    port: proxy.port,
    host: "::1",
    from: OTHER_64,
    path: "/health",
  });
  for (const socket of sockets) socket.destroy();
  await proxy.close();
  return { open, rejected, other: other.status };
}

const result = {
  mapped: await mappedClients(),
  rotation: await rotation(),
  connectionCap: await connectionCap(),
};
process.stdout.write(JSON.stringify(result));
