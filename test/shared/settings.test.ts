import { describe, expect, it } from "vitest";

import {
  defaultSettings,
  parseSettings,
  type Settings,
  type SettingsResult,
} from "../../shared/settings.js";
import { DEFAULT_ALLOWED_REMOTE_COMMANDS } from "../../shared/iota-api.js";

const HORNET_BLOCK = {
  enabled: true,
  username: "admin",
  passwordHash:
    "6d2c5b160faf1603fc21df32597f2bfdf30a5cf87e44e41bd6160547214bad6e",
  passwordSalt: "mysecretsalt",
};

function messageOf(result: SettingsResult): string {
  if (result.ok) throw new Error("expected invalid settings");
  return result.message;
}

/** Returns the parsed settings, or fails the test with the issues. */
function settingsOf(result: SettingsResult): Settings {
  if (!result.ok)
    throw new Error(`expected valid settings:\n${result.message}`);
  return result.settings;
}

describe("parseSettings defaults", () => {
  it("fills every default into an empty document", () => {
    const settings = defaultSettings();
    expect(settings.listen).toEqual({ host: "0.0.0.0", port: 14266 });
    expect(settings.upstream.url).toBe("http://127.0.0.1:14265");
    expect(settings.protection.enabled).toBe(true);
    expect(settings.whitelist).toEqual({ enabled: true, addresses: [] });
    expect(settings.rateLimit).toEqual({
      enabled: true,
      requestsPerSecond: 5,
      burst: 5,
    });
    expect(settings.basicAuth.enabled).toBe(false);
    expect(settings.limits.maxBodyBytes).toBe(1_000_000);
    expect(settings.commands.allowedRemote).toEqual(
      DEFAULT_ALLOWED_REMOTE_COMMANDS,
    );
  });

  it("leaves out attachToTangle and admin commands by default", () => {
    const allowed = defaultSettings().commands.allowedRemote;
    for (const command of [
      "attachToTangle",
      "addNeighbors",
      "removeNeighbors",
      "pruneDatabase",
      "getNeighbors",
    ]) {
      expect(allowed).not.toContain(command);
    }
  });

  it("keeps given fields and defaults the rest of a section", () => {
    const settings = settingsOf(parseSettings({ rateLimit: { burst: 20 } }));
    expect(settings.rateLimit).toEqual({
      enabled: true,
      requestsPerSecond: 5,
      burst: 20,
    });
  });

  it("returns independent copies of list defaults", () => {
    const first = defaultSettings();
    first.whitelist.addresses.push("10.0.0.1");
    expect(defaultSettings().whitelist.addresses).toEqual([]);
  });
});

describe("parseSettings Hornet block", () => {
  it("accepts Hornet's basicAuth block unchanged as sha256", () => {
    const settings = settingsOf(parseSettings({ basicAuth: HORNET_BLOCK }));
    expect(settings.basicAuth.scheme).toBe("sha256");
  });

  it("accepts Hornet's disabled default block with empty fields", () => {
    const result = parseSettings({
      basicAuth: {
        enabled: false,
        username: "",
        passwordHash: "",
        passwordSalt: "",
      },
    });
    expect(result.ok).toBe(true);
  });

  it("accepts an upper-case hash", () => {
    const result = parseSettings({
      basicAuth: {
        ...HORNET_BLOCK,
        passwordHash: HORNET_BLOCK.passwordHash.toUpperCase(),
      },
    });
    expect(result.ok).toBe(true);
  });
});

describe("parseSettings errors", () => {
  it("rejects unknown fields by path", () => {
    const message = messageOf(
      parseSettings({ rateLimit: { burts: 5 }, colour: "red" }),
    );
    expect(message).toContain("rateLimit.burts: unknown field");
    expect(message).toContain("colour: unknown field");
  });

  it("rejects authentication without a username", () => {
    const message = messageOf(
      parseSettings({ basicAuth: { ...HORNET_BLOCK, username: "" } }),
    );
    expect(message).toContain(
      "basicAuth.username is required when authentication is enabled",
    );
  });

  it("rejects authentication without a hash", () => {
    const message = messageOf(
      parseSettings({ basicAuth: { ...HORNET_BLOCK, passwordHash: "" } }),
    );
    expect(message).toContain("basicAuth.passwordHash is required");
    expect(message).toContain("hash-password");
  });

  it("rejects a hash that is not 64 hex digits without echoing it", () => {
    for (const hash of [
      "abc",
      "g".repeat(64),
      "a".repeat(63),
      "a".repeat(65),
    ]) {
      const message = messageOf(
        parseSettings({ basicAuth: { ...HORNET_BLOCK, passwordHash: hash } }),
      );
      expect(message).toContain(
        "basicAuth.passwordHash must be 64 hexadecimal digits",
      );
      expect(message).not.toContain(hash);
    }
  });

  it("names an invalid whitelist entry with its index, value and fix", () => {
    const message = messageOf(
      parseSettings({
        whitelist: { addresses: ["192.168.1.20", "192.168.1.300"] },
      }),
    );
    expect(message).toContain('whitelist.addresses[1]: "192.168.1.300"');
    expect(message).toContain("Write an address such as");
    expect(message).not.toContain("addresses[0]");
  });

  it("suggests the network address of a range written with host bits", () => {
    const message = messageOf(
      parseSettings({ whitelist: { addresses: ["192.168.1.7/24"] } }),
    );
    expect(message).toContain("Did you mean 192.168.1.0/24?");
  });

  it("names the value and bound of an out-of-range port", () => {
    const message = messageOf(parseSettings({ listen: { port: 70000 } }));
    expect(message).toContain(
      "listen.port: 70000 is more than the maximum of 65535",
    );
    expect(message).toContain("0 picks a free port");
  });

  it("rejects a quoted number", () => {
    const message = messageOf(
      parseSettings({ rateLimit: { requestsPerSecond: "5" } }),
    );
    expect(message).toContain(
      'rateLimit.requestsPerSecond: "5" is not a valid number',
    );
  });

  it("rejects an upstream that is not http", () => {
    const message = messageOf(
      parseSettings({ upstream: { url: "ftp://127.0.0.1:14265" } }),
    );
    expect(message).toContain("upstream.url");
    expect(message).toContain("must use http: or https:");
  });

  it("rejects credentials in the upstream URL", () => {
    const message = messageOf(
      parseSettings({
        upstream: { url: "http://user:secret@127.0.0.1:14265" },
      }),
    );
    expect(message).toContain("must not contain a username or password");
  });

  it("rejects an upstream that points at the listen port", () => {
    const message = messageOf(parseSettings({ listen: { port: 14265 } }));
    expect(message).toContain(
      "listen.port: 14265 is also the port of upstream.url (http://127.0.0.1:14265)",
    );
    expect(message).toContain("such as the default 14266");
  });

  it("rejects a listen host that is not an address", () => {
    const message = messageOf(
      parseSettings({ listen: { host: "example.com" } }),
    );
    expect(message).toContain(
      'listen.host: "example.com" is not an IP address',
    );
  });

  it("rejects a document from a newer version", () => {
    const message = messageOf(parseSettings({ schemaVersion: 2 }));
    expect(message).toContain(
      "schemaVersion: 2 was written by a newer version of Node Shield",
    );
  });

  it("rejects a scrypt hash with a short salt", () => {
    const message = messageOf(
      parseSettings({
        basicAuth: { ...HORNET_BLOCK, scheme: "scrypt", passwordSalt: "short" },
      }),
    );
    expect(message).toContain(
      "basicAuth.passwordSalt must be at least 16 characters",
    );
  });

  it("rejects whitespace around a whitelist entry", () => {
    const message = messageOf(
      parseSettings({ whitelist: { addresses: ["192.168.1.20 "] } }),
    );
    expect(message).toContain(
      'whitelist.addresses[0]: "192.168.1.20 " has spaces around it',
    );
  });

  it("says above for exclusive minimums", () => {
    const message = messageOf(
      parseSettings({
        upstream: { timeoutSeconds: 0 },
        rateLimit: { requestsPerSecond: 0 },
      }),
    );
    expect(message).toContain(
      "upstream.timeoutSeconds: 0 must be above 0. Use a value above 0.",
    );
    expect(message).toContain(
      "rateLimit.requestsPerSecond: 0 must be above 0.",
    );
    expect(message).not.toContain("minimum of 0");
  });

  it("suggests the field an unknown one is a misspelling of", () => {
    const message = messageOf(
      parseSettings({
        whitelist: { adresses: [] },
        basicAuth: { password: "x" },
      }),
    );
    expect(message).toContain(
      'whitelist.adresses: unknown field. Did you mean "addresses"?',
    );
    expect(message).toContain("basicAuth.password: unknown field.");
    expect(message).toContain("hash-password");
  });

  it("shows the shape of a section given as another type", () => {
    const message = messageOf(
      parseSettings({ whitelist: ["192.168.1.20"], protection: "yes" }),
    );
    expect(message).toContain(
      'whitelist: ["192.168.1.20"] is not a valid object. Write an object with fields such as "enabled", "addresses"',
    );
    expect(message).toContain('protection: "yes" is not a valid object.');
  });

  it("asks for true or false", () => {
    const message = messageOf(
      parseSettings({ protection: { enabled: "yes" } }),
    );
    expect(message).toContain(
      'protection.enabled: "yes" is not a valid boolean. Write true or false, without quotes.',
    );
  });

  it("rejects a headers timeout longer than the request timeout", () => {
    const message = messageOf(
      parseSettings({
        limits: { headersTimeoutSeconds: 40, requestTimeoutSeconds: 30 },
      }),
    );
    expect(message).toContain(
      "limits.headersTimeoutSeconds: 40 must not be longer than limits.requestTimeoutSeconds (30)",
    );
  });

  it("rejects a command name with other characters", () => {
    const message = messageOf(
      parseSettings({
        commands: { allowedRemote: ["getNodeInfo", "get Balances"] },
      }),
    );
    expect(message).toContain('commands.allowedRemote[1]: "get Balances"');
  });

  it("rejects documents that are not objects", () => {
    for (const input of [null, "settings", 42, []]) {
      expect(messageOf(parseSettings(input))).toContain(
        "The settings document",
      );
    }
  });

  it("lists every issue at once", () => {
    const result = parseSettings({
      listen: { port: -1 },
      rateLimit: { burst: 0 },
      whitelist: { addresses: ["x"] },
    });
    if (result.ok) throw new Error("expected invalid settings");
    expect(result.issues.map((issue) => issue.path)).toEqual([
      "listen.port",
      "whitelist.addresses[0]",
      "rateLimit.burst",
    ]);
  });
});
