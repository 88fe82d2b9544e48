import { describe, expect, it } from "vitest";

import {
  createPasswordRecord,
  digestsEqual,
  hashPassword,
  hashSha256,
} from "../../main/proxy/passwords.js";

describe("hashSha256", () => {
  it("matches Hornet's test vector", () => {
    expect(hashSha256("iota", "mysecretsalt").toString("hex")).toBe(
      "6d2c5b160faf1603fc21df32597f2bfdf30a5cf87e44e41bd6160547214bad6e",
    );
  });

  it("uses the salt as text, not as hex", () => {
    expect(hashSha256("iota", "00").toString("hex")).not.toBe(
      hashSha256("iota", "\u0000").toString("hex"),
    );
  });
});

describe("createPasswordRecord", () => {
  it("creates a scrypt record that verifies", async () => {
    const record = await createPasswordRecord("correct horse", "scrypt");
    expect(record.scheme).toBe("scrypt");
    expect(record.passwordHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.passwordSalt).toMatch(/^[0-9a-f]{64}$/);
    const again = await hashPassword(
      "correct horse",
      record.passwordSalt,
      "scrypt",
    );
    expect(again.toString("hex")).toBe(record.passwordHash);
  });

  it("uses a fresh salt each time", async () => {
    const first = await createPasswordRecord("same", "sha256");
    const second = await createPasswordRecord("same", "sha256");
    expect(first.passwordSalt).not.toBe(second.passwordSalt);
    expect(first.passwordHash).not.toBe(second.passwordHash);
  });
});

describe("digestsEqual", () => {
  it("compares equal digests", () => {
    expect(digestsEqual(Buffer.from("abcd"), Buffer.from("abcd"))).toBe(true);
    expect(digestsEqual(Buffer.from("abcd"), Buffer.from("abce"))).toBe(false);
  });

  it("returns false on unequal lengths without throwing", () => {
    expect(digestsEqual(Buffer.from("abc"), Buffer.from("abcd"))).toBe(false);
    expect(digestsEqual(Buffer.alloc(0), Buffer.from("abcd"))).toBe(false);
  });
});
