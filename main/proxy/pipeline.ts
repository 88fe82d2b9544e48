/**
 * The request pipeline: framing, whitelist, lockout and rate limit, CORS
 * preflight, authentication, body limit and command policy, in that order.
 * It decides what happens to a request; the server carries the decision out.
 */
import type { IncomingMessage } from "node:http";

import type { RejectionReason } from "../../shared/stats.js";
import { checkFraming, hasBody, readBody } from "./body.js";
import type { ClientIdentity } from "./client-address.js";
import type { LockoutTable, BlockTable } from "./lockout.js";
import { authorizationValues } from "./credentials.js";
import type { Policy } from "./policy.js";
import type { RateLimiter } from "./rate-limit.js";
import type { HeaderMap } from "./respond.js";

/** A response the engine sends itself instead of forwarding. */
export interface Rejection {
  status: number;
  reason: RejectionReason;
  message: string;
  headers?: HeaderMap;
  /** Close the connection after the response, because an unread body follows. */
  close?: boolean;
}

export type Admission =
  | { kind: "forward"; body: Buffer; trusted: boolean; target: string }
  | { kind: "preflight"; trusted: boolean }
  | { kind: "reject"; rejection: Rejection; trusted: boolean; target: string }
  | { kind: "aborted" };

/** The state that outlives a settings change. */
export interface PipelineState {
  limiter: RateLimiter;
  lockouts: LockoutTable;
  blocks: BlockTable;
  /** Called when a failed authentication starts a lockout. */
  onLockout(client: ClientIdentity, until: number): void;
}

const REALM = 'Basic realm="Node Shield", charset="UTF-8"';

/** Runs a request through the pipeline under a policy. */
export async function admit(
  req: IncomingMessage,
  client: ClientIdentity,
  policy: Policy,
  state: PipelineState,
): Promise<Admission> {
  const { settings } = policy;
  const method = req.method ?? "GET";
  const target = req.url ?? "/";
  const trusted = client.local || policy.whitelist.matches(client);

  const framing = checkFraming(req);
  if (framing) {
    const rejection: Rejection = {
      status: framing.status,
      reason: "badRequest",
      message: framing.message,
      close: true,
    };
    return { kind: "reject", rejection, trusted, target };
  }

  if (!settings.protection.enabled) {
    const body = await readBody(req, settings.limits.maxBodyBytes);
    if (!body.ok)
      return body.reason === "aborted"
        ? { kind: "aborted" }
        : tooLarge(settings.limits.maxBodyBytes, trusted, target);
    return { kind: "forward", body: body.body, trusted, target };
  }

  const early = checkAccess(client, policy, state);
  if (early)
    return {
      kind: "reject",
      rejection: closeIfBodyPending(req, early),
      trusted,
      target,
    };
  if (method === "OPTIONS") return { kind: "preflight", trusted };

  if (policy.verifier) {
    const pending = policy.verifier.checkOn(
      req.socket,
      authorizationValues(req.rawHeaders),
    );
    const check = pending instanceof Promise ? await pending : pending;
    if (!check.ok) {
      if (check.counts) countFailure(client, policy, state);
      const headers =
        check.status === 401 ? { "www-authenticate": REALM } : undefined;
      const rejection: Rejection = {
        status: check.status,
        reason:
          check.status === 503
            ? "busy"
            : check.status === 400
              ? "badRequest"
              : "unauthorized",
        message: check.reason,
        ...(headers ? { headers } : {}),
      };
      return {
        kind: "reject",
        rejection: closeIfBodyPending(req, rejection),
        trusted,
        target,
      };
    }
  }

  const body = await readBody(req, settings.limits.maxBodyBytes);
  if (!body.ok)
    return body.reason === "aborted"
      ? { kind: "aborted" }
      : tooLarge(settings.limits.maxBodyBytes, trusted, target);

  return checkRequest(
    method,
    target,
    body.body,
    client,
    trusted,
    policy,
    state,
  );
}

/**
 * Returns the rejection that every request from this client gets while
 * the settings stay as they are: a block by the owner, or a whitelist that
 * does not list the client. Localhost and unprotected engines get none.
 */
export function connectionRejection(
  client: ClientIdentity,
  policy: Policy,
  state: Pick<PipelineState, "blocks">,
): Rejection | undefined {
  if (client.local || !policy.settings.protection.enabled) return undefined;
  if (state.blocks.blockedUntil(client.key) > 0) {
    return {
      status: 403,
      reason: "blocked",
      message: "this address is blocked by the node's owner",
    };
  }
  if (policy.settings.whitelist.enabled && !policy.whitelist.matches(client)) {
    return {
      status: 403,
      reason: "notWhitelisted",
      message: `this address (${client.address}) is not whitelisted`,
    };
  }
  return undefined;
}

/** Steps before credentials: blocks, whitelist, lockout and the first rate-limit token. */
function checkAccess(
  client: ClientIdentity,
  policy: Policy,
  state: PipelineState,
): Rejection | undefined {
  const { settings } = policy;
  if (client.local) return undefined;

  const rejected = connectionRejection(client, policy, state);
  if (rejected) return rejected;
  if (settings.lockout.enabled) {
    const until = state.lockouts.lockedUntil(client.key);
    if (until > 0) {
      const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
      return {
        status: 429,
        reason: "lockedOut",
        message: `too many failed authentication attempts, locked out for ${seconds} more seconds`,
        headers: { "retry-after": String(seconds) },
      };
    }
  }
  if (settings.rateLimit.enabled) {
    const taken = state.limiter.take(client.key, 1);
    if (!taken.ok) return rateLimited(taken.retryAfterSeconds);
  }
  return undefined;
}

/** Steps after the body: classification, command policy and the rest of the request's cost. */
function checkRequest(
  method: string,
  target: string,
  body: Buffer,
  client: ClientIdentity,
  trusted: boolean,
  policy: Policy,
  state: PipelineState,
): Admission {
  const classified = policy.classify(method, target, body);
  if (!classified.ok) {
    return {
      kind: "reject",
      rejection: {
        status: 400,
        reason: "badRequest",
        message: classified.reason,
      },
      trusted,
      target,
    };
  }

  const request = classified.value;
  if (!trusted && !request.remoteAllowed) {
    const message =
      request.api === "legacy"
        ? `command [${request.target}] is protected`
        : `route ${request.target} is protected`;
    return {
      kind: "reject",
      rejection: { status: 403, reason: "commandNotAllowed", message },
      trusted,
      target: request.target,
    };
  }
  if (!client.local && policy.settings.rateLimit.enabled && request.cost > 1) {
    const taken = state.limiter.take(client.key, request.cost - 1);
    if (!taken.ok)
      return {
        kind: "reject",
        rejection: rateLimited(taken.retryAfterSeconds),
        trusted,
        target: request.target,
      };
  }
  return { kind: "forward", body, trusted, target: request.target };
}

function countFailure(
  client: ClientIdentity,
  policy: Policy,
  state: PipelineState,
): void {
  if (client.local || !policy.settings.lockout.enabled) return;
  if (state.lockouts.recordFailure(client.key))
    state.onLockout(client, state.lockouts.lockedUntil(client.key));
}

function rateLimited(retryAfterSeconds: number): Rejection {
  return {
    status: 429,
    reason: "rateLimited",
    message: `rate limit exceeded, retry after ${retryAfterSeconds} seconds`,
    headers: { "retry-after": String(retryAfterSeconds) },
  };
}

function tooLarge(
  maxBytes: number,
  trusted: boolean,
  target: string,
): Admission {
  return {
    kind: "reject",
    rejection: {
      status: 413,
      reason: "tooLarge",
      message: `the request body is larger than ${maxBytes} bytes`,
      close: true,
    },
    trusted,
    target,
  };
}

/**
 * Largest unread body that is left for Node to read and discard after a
 * rejection, so that the client's keep-alive connection survives. A longer
 * or chunked body closes the connection instead of being read to its end.
 */
export const DISCARDED_BODY_MAX = 16 * 1024;

function closeIfBodyPending(
  req: IncomingMessage,
  rejection: Rejection,
): Rejection {
  if (!hasBody(req) || req.complete) return rejection;
  const length = Number(req.headers["content-length"]);
  const small =
    req.headers["transfer-encoding"] === undefined &&
    length <= DISCARDED_BODY_MAX;
  return small ? rejection : { ...rejection, close: true };
}
