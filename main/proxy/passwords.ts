/**
 * Password hashing for Basic authentication.
 *
 * - `sha256`: Hornet's scheme, kept so that a Hornet `basicAuth` block works
 *   unchanged. The hash is the hex SHA-256 of the password's UTF-8 bytes
 *   followed by the salt string's UTF-8 bytes (the salt is not hex-decoded).
 * - `scrypt`: the scheme for passwords set in Node Shield. The hash is the
 *   hex of a 32-byte scrypt key with N = 16384, r = 8, p = 1 and the salt
 *   string's UTF-8 bytes as salt.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export type PasswordScheme = "sha256" | "scrypt";

/** The fields of a `basicAuth` block that describe a stored password. */
export interface PasswordRecord {
  passwordHash: string;
  passwordSalt: string;
  scheme: PasswordScheme;
}

const SCRYPT_OPTIONS = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;

/** Hashes a password with Hornet's SHA-256 scheme. */
export function hashSha256(password: string, salt: string): Buffer {
  return createHash("sha256")
    .update(password, "utf8")
    .update(salt, "utf8")
    .digest();
}

/** Hashes a password with the scrypt scheme, off the main thread. */
export function hashScrypt(password: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, SCRYPT_OPTIONS, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Hashes a password with either scheme. */
export async function hashPassword(
  password: string,
  salt: string,
  scheme: PasswordScheme,
): Promise<Buffer> {
  return scheme === "scrypt"
    ? hashScrypt(password, salt)
    : hashSha256(password, salt);
}

/** Creates a stored password with a fresh random salt. */
export async function createPasswordRecord(
  password: string,
  scheme: PasswordScheme = "scrypt",
): Promise<PasswordRecord> {
  const passwordSalt = randomBytes(32).toString("hex");
  const hash = await hashPassword(password, passwordSalt, scheme);
  return { passwordHash: hash.toString("hex"), passwordSalt, scheme };
}

/**
 * Compares two digests in constant time. Digests of different lengths are
 * unequal, and the comparison does not throw on them as `timingSafeEqual`
 * alone would.
 */
export function digestsEqual(actual: Buffer, expected: Buffer): boolean {
  if (actual.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(actual, expected);
}
