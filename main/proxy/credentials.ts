/**
 * Verification of Basic credentials against the configured password, with a
 * short-lived cache of verified headers so that scrypt runs once per client
 * session instead of once per request.
 */
import { createHmac, randomBytes } from "node:crypto";

import { LRUCache } from "lru-cache";

import type { Settings } from "../../shared/settings.js";
import { parseBasicAuthorization } from "./basic-auth.js";
import {
  digestsEqual,
  hashPassword,
  hashSha256,
  type PasswordScheme,
} from "./passwords.js";

export type CredentialCheck =
  | { ok: true }
  | { ok: false; status: 400 | 401 | 503; reason: string; counts: boolean };

/** Maximum number of cached header digests, verified or failed. */
export const CREDENTIAL_CACHE_MAX = 1024;
/** How long a verified header stays trusted without re-hashing. */
export const CREDENTIAL_CACHE_TTL_MS = 5 * 60_000;
/** How long a failed header is remembered, so a repeated wrong guess costs no hash. */
const FAILED_CACHE_TTL_MS = 60_000;
/** Maximum number of scrypt computations at once, to bound the CPU an attacker can use. */
const MAX_CONCURRENT_HASHES = 2;
const MAX_WAITING_HASHES = 64;

const VERIFIED = Symbol("verifiedAuthorization");
const OK: CredentialCheck = { ok: true };

/** A connection that remembers the header it last proved valid. */
type Connection = object & {
  [VERIFIED]?: { verifier: CredentialVerifier; header: string };
};

/** Returns the values of every `Authorization` header, read from the raw headers so that duplicates count. */
export function authorizationValues(
  rawHeaders: readonly string[],
): string[] | undefined {
  let values: string[] | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    if (name.length === 13 && name.toLowerCase() === "authorization") {
      (values ??= []).push(rawHeaders[index + 1] as string);
    }
  }
  return values;
}

/** Checks `Authorization` headers against one configured username and password. */
export class CredentialVerifier {
  readonly #username: Buffer;
  readonly #hash: Buffer;
  readonly #salt: string;
  readonly #scheme: PasswordScheme;
  // A per-process key: the cache stores HMACs of headers, never a header.
  readonly #cacheKey = randomBytes(32);
  readonly #cache = new LRUCache<string, boolean>({
    max: CREDENTIAL_CACHE_MAX,
    ttl: CREDENTIAL_CACHE_TTL_MS,
  });
  readonly #verifying = new Map<string, Promise<CredentialCheck>>();
  #hashes = 0;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(auth: Settings["basicAuth"]) {
    this.#username = hashSha256(auth.username, "");
    this.#hash = Buffer.from(auth.passwordHash.toLowerCase(), "hex");
    this.#salt = auth.passwordSalt;
    this.#scheme = auth.scheme;
  }

  /** Number of cached header digests. */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /**
   * Checks the `Authorization` headers of a request on `connection`. A header
   * verified once is remembered for the rest of that connection, so that a
   * keep-alive client costs one string comparison per request. The
   * comparison is not constant-time, which is safe because only the client
   * that sent the verified header uses this connection.
   */
  checkOn(
    connection: Connection,
    values: readonly string[] | undefined,
  ): CredentialCheck | Promise<CredentialCheck> {
    const header = values?.length === 1 ? values[0] : undefined;
    const memo = connection[VERIFIED];
    if (
      header !== undefined &&
      memo?.verifier === this &&
      memo.header === header
    )
      return OK;

    const result = this.check(values);
    const remember = (check: CredentialCheck) => {
      if (check.ok && header !== undefined)
        connection[VERIFIED] = { verifier: this, header };
      return check;
    };
    return result instanceof Promise ? result.then(remember) : remember(result);
  }

  /**
   * Checks the request's `Authorization` headers. Returns synchronously when
   * the result is cached, so that the common case costs one HMAC.
   */
  check(
    values: readonly string[] | undefined,
  ): CredentialCheck | Promise<CredentialCheck> {
    const parsed = parseBasicAuthorization(values);
    if (parsed.kind === "missing") {
      return {
        ok: false,
        status: 401,
        reason: "authentication required",
        counts: false,
      };
    }
    if (parsed.kind === "malformed") {
      return {
        ok: false,
        status: parsed.status,
        reason: parsed.reason,
        counts: true,
      };
    }

    const digest = createHmac("sha256", this.#cacheKey)
      .update(values?.[0] ?? "")
      .digest("base64");
    const cached = this.#cache.get(digest);
    if (cached !== undefined) return verdict(cached);

    // Requests that carry the same header while it is being verified share
    // one hash, so a burst of them costs one scrypt run, not one each.
    let pending = this.#verifying.get(digest);
    if (pending === undefined) {
      pending = this.#verify(parsed.username, parsed.password).then(
        (valid) => {
          this.#cache.set(
            digest,
            valid,
            valid ? {} : { ttl: FAILED_CACHE_TTL_MS },
          );
          return verdict(valid);
        },
        (): CredentialCheck => ({
          ok: false,
          status: 503,
          reason: "too many password checks at once, retry shortly",
          counts: false,
        }),
      );
      const settled = pending;
      this.#verifying.set(digest, settled);
      void settled.finally(() => this.#verifying.delete(digest));
    }
    return pending;
  }

  /** Number of password hashes computed, cached results not included. */
  get hashCount(): number {
    return this.#hashes;
  }

  async #verify(username: string, password: string): Promise<boolean> {
    this.#hashes++;
    const usernameOk = digestsEqual(hashSha256(username, ""), this.#username);
    let hash: Buffer;
    if (this.#scheme === "scrypt") {
      await this.#acquire();
      try {
        hash = await hashPassword(password, this.#salt, "scrypt");
      } finally {
        this.#release();
      }
    } else {
      hash = hashSha256(password, this.#salt);
    }
    // Both comparisons run, so the time does not tell which one failed.
    const passwordOk = digestsEqual(hash, this.#hash);
    return usernameOk && passwordOk;
  }

  #acquire(): Promise<void> {
    if (this.#running < MAX_CONCURRENT_HASHES) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= MAX_WAITING_HASHES) {
      return Promise.reject(new Error("too many password checks waiting"));
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}

function verdict(valid: boolean): CredentialCheck {
  return valid
    ? OK
    : {
        ok: false,
        status: 401,
        reason: "invalid username or password",
        counts: true,
      };
}
