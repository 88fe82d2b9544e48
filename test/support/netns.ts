/**
 * Test helper: runs a script in a network namespace of its own, whose
 * loopback interface also carries IPv6 documentation addresses
 * (2001:db8::/32). Clients there can come from many IPv6 addresses and
 * prefixes, which the host's loopback (::1 only) cannot offer, and no
 * traffic leaves the namespace.
 */
import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

let available: boolean | undefined;

/** Returns whether this machine lets the tests create a network namespace. */
export function networkNamespaceAvailable(): boolean {
  available ??=
    spawnSync("unshare", ["--net", "ip", "link", "set", "lo", "up"], {
      stdio: "ignore",
    }).status === 0;
  return available;
}

/**
 * Runs a TypeScript file with tsx in a new network namespace, after adding
 * `addresses` (IPv6, each with its prefix length) to its loopback, and
 * returns what the script printed on standard output as JSON.
 */
export function runInNetworkNamespace(
  script: string | URL,
  addresses: readonly string[],
  timeoutMs = 30_000,
): Promise<unknown> {
  const setup = [
    "ip link set lo up",
    ...addresses.map((address) => `ip -6 addr add ${address} dev lo nodad`),
  ].join(" && ");
  const file = script instanceof URL ? fileURLToPath(script) : script;
  const command = `${setup} && exec "$0" --import tsx "$1"`;

  return new Promise((resolve, reject) => {
    execFile(
      "unshare",
      ["--net", "sh", "-c", command, process.execPath, file],
      { timeout: timeoutMs, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`the script printed no JSON:\n${stdout}${stderr}`));
        }
      },
    );
  });
}
