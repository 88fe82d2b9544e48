/**
 * Requests the node's name and version, so the dashboard can show whether
 * the node responds. The check goes straight to the node, not through the
 * proxy, so it is never counted in the stats.
 */
import type { NodeStatus } from "../../shared/app-state.js";

/** User agent of the checks, so that node logs (and tests) can tell them apart. */
export const NODE_CHECK_USER_AGENT = "NodeShield-status-check";

interface RestInfo {
  data?: { name?: unknown; version?: unknown };
}

interface LegacyInfo {
  appName?: unknown;
  appVersion?: unknown;
}

/**
 * Checks the node at `upstreamUrl`: `GET /api/v1/info` (Hornet 1.x), then
 * the legacy `getNodeInfo` command (IRI, Hornet 0.5). Failures are
 * returned as a status, never thrown.
 */
export async function checkNode(
  upstreamUrl: string,
  timeoutMs: number,
): Promise<NodeStatus> {
  const checkedAt = Date.now();

  const rest = await fetchJson<RestInfo>(
    new URL("/api/v1/info", upstreamUrl),
    { method: "GET" },
    timeoutMs,
  );
  if (rest.ok) {
    const { name, version } = rest.json.data ?? {};
    if (typeof name === "string" && typeof version === "string")
      return { reachable: true, name, version, api: "rest", checkedAt };
  } else if (rest.unreachable) {
    // A node that refused the connection will refuse the second try too.
    return { reachable: false, error: rest.error, checkedAt };
  }

  const legacy = await fetchJson<LegacyInfo>(
    new URL("/", upstreamUrl),
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-iota-api-version": "1",
      },
      body: JSON.stringify({ command: "getNodeInfo" }),
    },
    timeoutMs,
  );
  let unreachable = false;
  let lastError: string;
  if (legacy.ok) {
    const { appName, appVersion } = legacy.json;
    if (typeof appName === "string" && typeof appVersion === "string")
      return {
        reachable: true,
        name: appName,
        version: appVersion,
        api: "legacy",
        checkedAt,
      };
    lastError = "the node's response has no name or version";
  } else {
    lastError = legacy.error;
    unreachable = legacy.unreachable;
  }
  // A node that sent an HTTP response is reachable, even if it is no IOTA node.
  return {
    reachable: !unreachable,
    error: lastError,
    checkedAt,
  };
}

type FetchResult<T> =
  { ok: true; json: T } | { ok: false; unreachable: boolean; error: string };

async function fetchJson<T>(
  url: URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<FetchResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { ...init.headers, "user-agent": NODE_CHECK_USER_AGENT },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { ok: false, unreachable: true, error: describeFailure(error) };
  }

  if (!response.ok) {
    await response.body?.cancel();
    return {
      ok: false,
      unreachable: false,
      error: `the node responded to ${url.pathname} with HTTP ${response.status}`,
    };
  }
  try {
    return { ok: true, json: (await response.json()) as T };
  } catch {
    return {
      ok: false,
      unreachable: false,
      error: `the node's response to ${url.pathname} is not JSON`,
    };
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError")
    return "the node did not respond in time";
  const cause = (error as { cause?: { code?: string; message?: string } })
    .cause;
  if (cause?.code === "ECONNREFUSED") return "the node refused the connection";
  return cause?.message ?? (error instanceof Error ? error.message : "failed");
}
