import { describe, expect, it } from "vitest";

import { parseBasicAuthorization } from "../../main/proxy/basic-auth.js";

const encode = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("parseBasicAuthorization", () => {
  it("parses standard credentials", () => {
    expect(parseBasicAuthorization([`Basic ${encode("admin:iota")}`])).toEqual({
      kind: "credentials",
      username: "admin",
      password: "iota",
    });
  });

  it("treats the scheme without regard to case", () => {
    for (const scheme of ["basic", "BASIC", "bAsIc"]) {
      expect(
        parseBasicAuthorization([`${scheme} ${encode("admin:iota")}`]).kind,
      ).toBe("credentials");
    }
  });

  it("splits at the first colon", () => {
    expect(parseBasicAuthorization([`Basic ${encode("admin:pa:ss")}`])).toEqual(
      { kind: "credentials", username: "admin", password: "pa:ss" },
    );
  });

  it("decodes UTF-8 credentials", () => {
    expect(parseBasicAuthorization([`Basic ${encode("jürgen:päss")}`])).toEqual(
      { kind: "credentials", username: "jürgen", password: "päss" },
    );
  });

  it("reports a missing header", () => {
    expect(parseBasicAuthorization(undefined).kind).toBe("missing");
    expect(parseBasicAuthorization([]).kind).toBe("missing");
  });

  it.each([
    ["an empty password", `Basic ${encode("admin:")}`, "empty"],
    ["no colon", `Basic ${encode("adminiota")}`, "no colon"],
    ["the unencoded form", "Basic admin:iota", "base64"],
    [
      "missing padding",
      `Basic ${encode("admin:iota1").replace(/=+$/, "")}`,
      "base64",
    ],
    ["the URL-safe alphabet", "Basic _-8=", "base64"],
    [
      "a non-canonical final character",
      "Basic YQ==".replace("Q", "R"),
      "base64",
    ],
    ["another scheme", "Bearer abc", "scheme is not supported"],
    ["no credentials", "Basic", "no credentials"],
    ["an empty header", "", "empty"],
    [
      "invalid UTF-8",
      `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString("base64")}`,
      "UTF-8",
    ],
    [
      "control characters",
      `Basic ${encode("ad\nmin:iota")}`,
      "control characters",
    ],
  ])("rejects %s", (_case, header, reason) => {
    const result = parseBasicAuthorization([header]);
    expect(result.kind).toBe("malformed");
    expect(result.kind === "malformed" && result.reason).toContain(reason);
  });

  it("rejects two headers with status 400", () => {
    const result = parseBasicAuthorization([
      `Basic ${encode("a:b")}`,
      `Basic ${encode("a:b")}`,
    ]);
    expect(result).toMatchObject({ kind: "malformed", status: 400 });
  });
});
