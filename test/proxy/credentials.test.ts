import { describe, expect, it } from "vitest";

import {
  authorizationValues,
  CredentialVerifier,
} from "../../main/proxy/credentials.js";
import { createPasswordRecord } from "../../main/proxy/passwords.js";
import { basic, HORNET_AUTH } from "../support/http.js";

const legacy = { ...HORNET_AUTH, scheme: "sha256" as const };

describe("CredentialVerifier", () => {
  it("hashes once for a burst of the same header", async () => {
    const record = await createPasswordRecord("burst", "scrypt");
    const verifier = new CredentialVerifier({
      enabled: true,
      username: "admin",
      ...record,
    });
    const header = [basic("admin", "burst")];
    const results = await Promise.all(
      Array.from({ length: 20 }, () => verifier.check(header)),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(verifier.hashCount).toBe(1);
  });

  it("hashes a wrong guess once while it is cached", async () => {
    const verifier = new CredentialVerifier(legacy);
    for (let i = 0; i < 5; i++)
      expect(await verifier.check([basic("admin", "guess")])).toMatchObject({
        ok: false,
        status: 401,
        counts: true,
      });
    expect(verifier.hashCount).toBe(1);
  });

  it("hashes each distinct header", async () => {
    const verifier = new CredentialVerifier(legacy);
    await verifier.check([basic("admin", "iota")]);
    await verifier.check([basic("admin", "other")]);
    expect(verifier.hashCount).toBe(2);
    expect(verifier.cacheSize).toBe(2);
  });

  it("remembers a verified header on its connection only", async () => {
    const verifier = new CredentialVerifier(legacy);
    const connection = {};
    const header = [basic("admin", "iota")];
    expect((await verifier.checkOn(connection, header)).ok).toBe(true);
    expect(verifier.checkOn(connection, header)).toEqual({ ok: true });
    expect(await verifier.checkOn({}, [basic("admin", "wrong")])).toMatchObject(
      { ok: false, status: 401 },
    );
    expect(
      await verifier.checkOn(connection, [basic("admin", "wrong")]),
    ).toMatchObject({ ok: false, status: 401 });
  });

  it("does not count a missing header as a failure", () => {
    expect(new CredentialVerifier(legacy).check(undefined)).toEqual({
      ok: false,
      status: 401,
      reason: "authentication required",
      counts: false,
    });
  });
});

describe("authorizationValues", () => {
  it("collects every Authorization header, whatever its case", () => {
    expect(
      authorizationValues([
        "Host",
        "x",
        "authorization",
        "a",
        "AUTHORIZATION",
        "b",
      ]),
    ).toEqual(["a", "b"]);
    expect(authorizationValues(["Host", "x"])).toBeUndefined();
  });
});
