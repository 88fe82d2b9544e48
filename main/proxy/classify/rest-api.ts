/**
 * Request paths: a strict check that rejects every form a node could read as
 * another path, and the matcher of allowed route patterns.
 */

export type PathParse =
  { ok: true; value: { path: string } } | { ok: false; reason: string };

// Encoded slashes, backslashes and dots, and NUL, let a path mean one thing
// to the proxy and another to the node's router.
const DANGEROUS_ESCAPE = /%(2f|5c|2e|00)/i;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\uffff\\]/;

/**
 * Checks the path part of a request target and returns it percent-decoded.
 * The query is not part of the path and is not checked.
 */
export function parseRequestPath(target: string): PathParse {
  if (!target.startsWith("/"))
    return fail("the request target must be a path that starts with /");
  const queryStart = target.indexOf("?");
  const raw = queryStart === -1 ? target : target.slice(0, queryStart);

  if (CONTROL_OR_SPACE.test(raw))
    return fail(
      "the request path contains characters that must be percent-encoded",
    );
  if (DANGEROUS_ESCAPE.test(raw))
    return fail(
      "the request path contains an encoded slash, backslash, dot or NUL",
    );
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return fail("the request path has an invalid percent-encoding");
  }
  if (path.includes("//"))
    return fail("the request path contains an empty segment (//)");
  if (/\/\.\.?(\/|$)/.test(path))
    return fail("the request path contains a . or .. segment");
  return { ok: true, value: { path } };
}

/** Matches paths against patterns where a trailing `*` matches any rest. */
export function compileRoutePatterns(
  patterns: readonly string[],
): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith("*")) prefixes.push(pattern.slice(0, -1));
    else exact.add(pattern);
  }
  return (path) =>
    exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));
}

function fail(reason: string): PathParse {
  return { ok: false, reason };
}
