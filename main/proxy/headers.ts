/**
 * Header rewriting between client and node. Hop-by-hop headers (RFC 9110,
 * section 7.6.1) describe one connection and are never passed on, in either
 * direction, and neither are the headers that a `Connection` header names.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  // The engine has read the whole body, so it handles `Expect` itself.
  "expect",
  // The body is re-framed with a Content-Length of its own.
  "content-length",
]);

// Headers that servers and frameworks read as the client's address. A
// client sets them to any value it likes, so passing them on would let it
// pose as localhost to a node that trusts them. Names are compared with `_`
// read as `-`, because CGI, WSGI and PHP map both to the same variable
// (X_Forwarded_For becomes HTTP_X_FORWARDED_FOR).
const SPOOFABLE = new Set([
  "x-forwarded-for",
  "x-real-ip",
  "forwarded",
  "forwarded-for",
  "x-forwarded",
  "x-client-ip",
  "x-cluster-client-ip",
  "true-client-ip",
  "cf-connecting-ip",
  "fastly-client-ip",
]);

function isSpoofable(name: string): boolean {
  return SPOOFABLE.has(name.replaceAll("_", "-"));
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  const values = Array.isArray(value)
    ? value
    : value === undefined
      ? []
      : [value];
  for (const item of values) {
    for (const token of item.split(",")) tokens.add(token.trim().toLowerCase());
  }
  return tokens;
}

/** Returns the headers to send to the node for a request whose body has `bodyLength` bytes. */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  bodyLength: number,
  sendsBody: boolean,
): Record<string, string | string[]> {
  const named = connectionTokens(headers.connection);
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      isSpoofable(name) ||
      named.has(name)
    )
      continue;
    result[name] = value;
  }
  if (sendsBody) result["content-length"] = String(bodyLength);
  return result;
}

/** Returns the headers of the node's response to pass back to the client. */
export function clientResponseHeaders(
  headers: IncomingHttpHeaders,
): OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || named.has(name)) continue;
    if (HOP_BY_HOP.has(name) && name !== "content-length") continue;
    result[name] = value;
  }
  return result;
}
