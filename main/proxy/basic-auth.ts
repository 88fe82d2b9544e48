/**
 * Parsing of `Authorization: Basic` credentials (RFC 7617), strict so that
 * the proxy and the node can never read the same header differently.
 */

export type AuthorizationParse =
  | { kind: "missing" }
  | { kind: "malformed"; reason: string; status: 400 | 401 }
  | { kind: "credentials"; username: string; password: string };

// RFC 7235 token68 as RFC 7617 uses it: standard base64 with padding.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SCHEME_SEPARATOR = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(.*)$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
// ignoreBOM keeps a leading U+FEFF in the text instead of dropping it, so
// that "\ufeffadmin" is not an alias of the username "admin".
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses the `Authorization` header values of a request. More than one
 * header, another scheme, invalid base64, invalid UTF-8, a missing colon,
 * control characters or an empty password are all malformed.
 */
export function parseBasicAuthorization(
  values: readonly string[] | undefined,
): AuthorizationParse {
  if (values === undefined || values.length === 0) return { kind: "missing" };
  // Two headers are ambiguous: the node might read the other one.
  if (values.length > 1) {
    return {
      kind: "malformed",
      reason: "more than one Authorization header",
      status: 400,
    };
  }

  const header = values[0] ?? "";
  if (header.trim() === "")
    return malformed("the Authorization header is empty");
  const match = SCHEME_SEPARATOR.exec(header);
  if (!match)
    return malformed(
      "the Authorization header has no credentials after the scheme",
    );
  const [, scheme = "", token = ""] = match;
  if (scheme.toLowerCase() !== "basic")
    return malformed(`the ${scheme} scheme is not supported, use Basic`);

  return parseToken(token);
}

function parseToken(token: string): AuthorizationParse {
  if (token === "" || token.length % 4 !== 0 || !BASE64.test(token)) {
    return malformed("the Basic credentials are not valid base64");
  }
  const bytes = Buffer.from(token, "base64");
  // Buffer.from ignores bits that a canonical encoder would have set to
  // zero, so re-encoding catches the aliases of a valid token.
  if (bytes.toString("base64") !== token) {
    return malformed("the Basic credentials are not valid base64");
  }

  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return malformed("the Basic credentials are not valid UTF-8");
  }
  const colon = decoded.indexOf(":");
  if (colon === -1)
    return malformed(
      "the Basic credentials have no colon between username and password",
    );
  if (CONTROL.test(decoded))
    return malformed("the Basic credentials contain control characters");

  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (password === "") return malformed("the password is empty");
  return { kind: "credentials", username, password };
}

function malformed(reason: string): AuthorizationParse {
  return { kind: "malformed", reason, status: 401 };
}
