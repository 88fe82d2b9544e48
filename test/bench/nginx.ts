/**
 * nginx set up as IOTA's reverse-proxy recipe does it (`limit_req` at 5
 * requests per second with a burst of 5), plus the protections Node Shield
 * gives: `auth_basic` with an apr1 htpasswd entry and `allow`/`deny`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";

import { run } from "./processes.js";

export interface NginxOptions {
  upstreamPort: number;
  port: number;
  /** `limit_req` rate and burst. */
  rate: string;
  burst: number;
  auth: boolean;
  /** Addresses of `allow` lines; with any, everything else is denied. */
  allow: string[];
}

/** Returns the configuration file for the options. */
export function nginxConfig(prefix: string, options: NginxOptions): string {
  const access =
    options.allow.length === 0
      ? ""
      : `${options.allow.map((address) => `      allow ${address};`).join("\n")}\n      deny all;\n`;
  const auth = options.auth
    ? `      auth_basic "IOTA node";\n      auth_basic_user_file ${join(prefix, "htpasswd")};\n`
    : "";
  return `worker_processes auto;
pid ${join(prefix, "nginx.pid")};
# limit_req logs each rejection at the level below; error keeps a flood out of the log.
error_log ${join(prefix, "error.log")} error;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${join(prefix, "body")};
  proxy_temp_path ${join(prefix, "proxy")};
  fastcgi_temp_path ${join(prefix, "fastcgi")};
  uwsgi_temp_path ${join(prefix, "uwsgi")};
  scgi_temp_path ${join(prefix, "scgi")};
  limit_req_zone $binary_remote_addr zone=iota:10m rate=${options.rate};
  limit_req_status 429;
  limit_req_log_level warn;
  upstream iota {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${options.port};
    location / {
${access}${auth}      limit_req zone=iota burst=${options.burst} nodelay;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://iota;
    }
  }
}
`;
}

/** A running nginx. */
export class Nginx {
  readonly #child: ChildProcess;
  readonly prefix: string;
  readonly port: number;

  private constructor(child: ChildProcess, prefix: string, port: number) {
    this.#child = child;
    this.prefix = prefix;
    this.port = port;
  }

  /** Starts nginx in the foreground with its own prefix folder. */
  static async start(options: NginxOptions, password = "iota"): Promise<Nginx> {
    const prefix = await mkdtemp(join(tmpdir(), "node-shield-nginx-"));
    // Started as root, nginx runs its workers as another user, who must read the folder.
    await chmod(prefix, 0o755);
    const hashed = await run("openssl", ["passwd", "-apr1", password]);
    await writeFile(
      join(prefix, "htpasswd"),
      `admin:${hashed.stdout.trim()}\n`,
      { mode: 0o644 },
    );
    const config = join(prefix, "nginx.conf");
    await writeFile(config, nginxConfig(prefix, options));

    const child = spawn(
      "nginx",
      ["-p", prefix, "-c", config, "-g", "daemon off;"],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    await waitForPort(options.port);
    return new Nginx(child, prefix, options.port);
  }

  /** Process ids of the master and its workers, for RSS sampling. */
  async pids(): Promise<number[]> {
    const listed = await run("pgrep", ["-P", String(this.#child.pid)]);
    return [
      this.#child.pid ?? 0,
      ...listed.stdout.split("\n").filter(Boolean).map(Number),
    ];
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, "exit");
    this.#child.kill("SIGQUIT");
    await exited;
  }
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
