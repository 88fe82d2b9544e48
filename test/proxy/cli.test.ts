import { once } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { hashPassword } from "../../main/proxy/passwords.js";
import { parseSettings } from "../../shared/settings.js";
import { runCli, startCli, type RunningCli } from "../support/cli.js";
import { startTestNode, type TestIotaNode } from "../support/iota-node.js";
import { basic, sendCommand } from "../support/http.js";

let node: TestIotaNode;
let directory: string;
let running: RunningCli | undefined;

beforeEach(async () => {
  node = await startTestNode();
  directory = await mkdtemp(join(tmpdir(), "node-shield-cli-"));
});
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill("SIGKILL");
    await running.exited();
  }
  running = undefined;
  await node.stop();
});

async function writeSettings(settings: unknown): Promise<string> {
  const path = join(directory, "settings.json");
  await writeFile(
    path,
    typeof settings === "string" ? settings : JSON.stringify(settings),
  );
  return path;
}

function localSettings(
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    listen: { host: "127.0.0.1", port: 0 },
    upstream: { url: node.url },
    ...extra,
  };
}

describe("node-shield command", () => {
  it("serves, then stops gracefully on SIGTERM", async () => {
    const config = await writeSettings(localSettings());
    running = startCli(["--config", config, "--log-format", "json"]);
    const [, port] = await running.waitFor(
      /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    expect(Number(port)).toBeGreaterThan(0);

    expect((await sendCommand(Number(port), "getNodeInfo")).status).toBe(200);
    node.delayMs = 500;
    const inFlight = sendCommand(Number(port), "getNodeInfo");
    await new Promise((resolve) => setTimeout(resolve, 100));
    running.child.kill("SIGTERM");
    expect((await inFlight).status).toBe(200);
    expect(await running.exited()).toBe(0);
    expect(node.commands).toEqual(["getNodeInfo", "getNodeInfo"]);
  });

  it("stops on SIGINT with status 0", async () => {
    running = startCli(["--config", await writeSettings(localSettings())]);
    await running.waitFor(/listening on/);
    running.child.kill("SIGINT");
    expect(await running.exited()).toBe(0);
    expect(running.stdout()).toContain("SIGINT received, stopping");
  });

  it("runs on the defaults without --config", async () => {
    running = startCli(["--log-format", "json"]);
    const status = await Promise.race([
      running
        .waitFor(/listening on http:\/\/0\.0\.0\.0:14266/)
        .then(() => "listening"),
      running.exited(),
    ]);
    // Another program may hold port 14266; the message must still name the default address.
    if (status === "listening") {
      expect(running.stdout()).toContain('"protection":true');
      running.child.kill("SIGTERM");
      expect(await running.exited()).toBe(0);
    } else {
      expect(running.stderr()).toContain("cannot listen on 0.0.0.0:14266");
    }
  });

  it("exits with 2 and names the field of an invalid settings file", async () => {
    const config = await writeSettings(
      localSettings({
        rateLimit: { burst: 0 },
        whitelist: { addresses: ["192.168.1.300"] },
      }),
    );
    const result = await runCli(["--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`The settings file ${config} is invalid`);
    expect(result.stderr).toContain(
      "rateLimit.burst: 0 is less than the minimum of 1",
    );
    expect(result.stderr).toContain('whitelist.addresses[0]: "192.168.1.300"');
  });

  it("exits with 2 on a file that is not JSON, with its line", async () => {
    const config = await writeSettings('{\n  "listen": { "port": 0, }\n}');
    const result = await runCli(["--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /is not valid JSON: .*\(line 2, column \d+\)/,
    );
  });

  it("exits with 2 on a missing file", async () => {
    const result = await runCli(["--config", join(directory, "missing.json")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("the file does not exist");
  });

  it("exits with 2 on an unknown option", async () => {
    const result = await runCli(["--colour"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--colour");
  });

  it("exits non-zero naming the address when the port is in use", async () => {
    const blocker = createServer();
    blocker.listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const port = (blocker.address() as { port: number }).port;
    const config = await writeSettings(
      localSettings({ listen: { host: "127.0.0.1", port } }),
    );
    const result = await runCli(["--config", config]);
    blocker.close();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `cannot listen on 127.0.0.1:${port}: the port is already in use`,
    );
  });

  it("logs a stats line at the interval", async () => {
    running = startCli([
      "--config",
      await writeSettings(localSettings()),
      "--stats-interval",
      "0.2",
      "--log-format",
      "json",
    ]);
    const [, port] = await running.waitFor(
      /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    await sendCommand(Number(port), "getNodeInfo");
    await running.waitFor(/stats: 1 requests \(1 forwarded, 0 rejected\)/);
  });

  it("reloads the settings file on SIGHUP", async () => {
    const config = await writeSettings(localSettings());
    running = startCli(["--config", config, "--log-format", "json"]);
    const [, port] = await running.waitFor(
      /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    expect(
      (await sendCommand(Number(port), "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(403);
    await writeFile(
      config,
      JSON.stringify(
        localSettings({
          listen: { host: "127.0.0.1", port: Number(port) },
          whitelist: { addresses: ["127.0.0.2"] },
        }),
      ),
    );
    running.child.kill("SIGHUP");
    await running.waitFor(/reloaded the settings file/);
    expect(
      (await sendCommand(Number(port), "getNodeInfo", { from: "127.0.0.2" }))
        .status,
    ).toBe(200);
  });
});

describe("node-shield command options", () => {
  it.each(["0", "-1", "0x10", "1e-3", "100000", "abc"])(
    "rejects --stats-interval %s",
    async (value) => {
      const result = await runCli([`--stats-interval=${value}`]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `--stats-interval ${value} is not a number of seconds from 0.1 to 86400`,
      );
    },
  );

  it("keeps running on SIGHUP without a settings file", async () => {
    running = startCli(["--log-format", "json"]);
    const started = await Promise.race([
      running
        .waitFor(/listening on http:\/\/0\.0\.0\.0:14266/)
        .then(() => true),
      running.exited().then(() => false),
    ]);
    // Another program may hold the default port; then there is nothing to signal.
    if (!started) return;
    running.child.kill("SIGHUP");
    await running.waitFor(/no settings file to reload/);
    expect(running.child.exitCode).toBeNull();
    running.child.kill("SIGTERM");
    expect(await running.exited()).toBe(0);
  });

  it("prints help for hash-password", async () => {
    const result = await runCli(["hash-password", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: node-shield hash-password");
  });
});

describe("node-shield hash-password", () => {
  it("prints a scrypt block that the engine accepts", async () => {
    const result = await runCli(
      ["hash-password", "--username", "owner"],
      "my long password\n",
    );
    expect(result.status).toBe(0);
    const block = JSON.parse(result.stdout) as {
      basicAuth: {
        username: string;
        passwordHash: string;
        passwordSalt: string;
        scheme: string;
      };
    };
    expect(block.basicAuth.scheme).toBe("scrypt");
    expect(block.basicAuth.username).toBe("owner");
    expect(result.stdout).not.toContain("my long password");
    const hash = await hashPassword(
      "my long password",
      block.basicAuth.passwordSalt,
      "scrypt",
    );
    expect(hash.toString("hex")).toBe(block.basicAuth.passwordHash);
    expect(parseSettings(block).ok).toBe(true);
  });

  it("prints Hornet's form with --legacy", async () => {
    const result = await runCli(["hash-password", "--legacy"], "iota");
    expect(result.status).toBe(0);
    const block = JSON.parse(result.stdout) as {
      basicAuth: Record<string, unknown>;
    };
    expect(Object.keys(block.basicAuth)).toEqual([
      "enabled",
      "username",
      "passwordHash",
      "passwordSalt",
    ]);
    const hash = await hashPassword(
      "iota",
      String(block.basicAuth.passwordSalt),
      "sha256",
    );
    expect(hash.toString("hex")).toBe(block.basicAuth.passwordHash);
  });

  it("works end to end with a running command", async () => {
    const hashed = await runCli(["hash-password"], "s3cret");
    const block = JSON.parse(hashed.stdout) as {
      basicAuth: Record<string, unknown>;
    };
    running = startCli([
      "--config",
      await writeSettings(localSettings(block)),
      "--log-format",
      "json",
    ]);
    const [, port] = await running.waitFor(
      /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    expect((await sendCommand(Number(port), "getNodeInfo")).status).toBe(401);
    expect(
      (
        await sendCommand(Number(port), "getNodeInfo", {
          headers: { authorization: basic("admin", "s3cret") },
        })
      ).status,
    ).toBe(200);
    expect(running.stdout()).not.toContain("s3cret");
  });

  it("rejects a password with a line break", async () => {
    const result = await runCli(["hash-password"], "first\nsecond\n");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "contains a line break or another control character",
    );
    expect(result.stdout).toBe("");
  });

  it("rejects an empty password", async () => {
    const result = await runCli(["hash-password"], "\n");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("The password is empty");
  });
});
