/**
 * The dashboard in real headless Chromium, with `window.shield` backed by
 * the app's real controller, settings store and supervisor in this test
 * process, and a real engine process (forked) in front of a test node.
 * Only Electron's IPC is replaced: the page's bridge calls reach the same
 * `dispatch` that main's IPC handlers use.
 */
import { once } from "node:events";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";

import { build } from "esbuild";
import { chromium, type BrowserContext, type Page } from "playwright-core";

import { AppController } from "../../../main/app-controller.js";
import { EngineSupervisor } from "../../../main/engine-supervisor.js";
import { createHandlers, dispatch } from "../../../main/ipc-handlers.js";
import {
  PREVIOUS_SETTINGS_FILE,
  SETTINGS_FILE,
  SettingsStore,
} from "../../../main/settings-store.js";
import { NODE_CHECK_USER_AGENT } from "../../../main/proxy/node-info.js";
import { silentLogger } from "../../../shared/logger.js";
import type { SettingsInput } from "../../../shared/settings.js";
import {
  forkedEngines,
  type ForkedEngines,
} from "../../support/engine-fork.js";
import { startTestNode, type TestIotaNode } from "../../support/iota-node.js";
import { PROJECT_ROOT, RENDERER_DIST } from "../../support/paths.js";

export const SCREENSHOTS = join(PROJECT_ROOT, "test-results", "screenshots");

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const MIME_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".png": "image/png",
};

export interface DashboardFixture {
  page: Page;
  node: TestIotaNode;
  controller: AppController;
  supervisor: EngineSupervisor;
  engines: ForkedEngines;
  directory: string;
  /** Port the engine listens on now. */
  proxyPort(): number;
  /**
   * Requests that reached the node through the proxy, in order, without the
   * engine's own node checks: the legacy command, or `METHOD url` otherwise.
   */
  proxied(): string[];
  storedSettings(): Record<string, Record<string, unknown>>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface DashboardOptions {
  settings?: SettingsInput;
  /**
   * Text written over the settings file before the app opens it; the
   * test settings are then the previous valid document beside it.
   */
  corruptSettingsFile?: string;
  maxCrashes?: number;
}

/** Serves the built dashboard on 127.0.0.1, as a page over HTTP rather than file://. */
async function serveRenderer(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/favicon.ico") {
      // Chromium requests it on its own, and the page has none.
      res.writeHead(204).end();
      return;
    }
    const file = normalize(
      join(RENDERER_DIST, path === "/" ? "index.html" : path),
    );
    if (!file.startsWith(RENDERER_DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, {
        "content-type": MIME_TYPES[extname(file)] ?? "application/octet-stream",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

/** Bundles the page side of the bridge: `createBridge` over functions that the test exposes. */
async function bridgeScript(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
        import { createBridge } from "./shared/bridge.ts";
        const listeners = new Map();
        window.__shieldEmit = (channel, payload) => {
          for (const listener of listeners.get(channel) ?? []) listener(payload);
        };
        window.shield = createBridge(
          (channel, request) => window.__shieldInvoke(channel, request),
          (channel, listener) => {
            if (!listeners.has(channel)) listeners.set(channel, new Set());
            listeners.get(channel).add(listener);
            return () => listeners.get(channel).delete(listener);
          },
        );`,
      resolveDir: PROJECT_ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

/** Starts everything and opens the dashboard. */
export async function openDashboard(
  options: DashboardOptions = {},
): Promise<DashboardFixture> {
  const node = await startTestNode();
  const directory = mkdtempSync(join(tmpdir(), "node-shield-dashboard-"));
  const testSettings = JSON.stringify({
    rateLimit: { requestsPerSecond: 1000, burst: 1000 },
    ...options.settings,
    listen: { host: "127.0.0.1", port: 0 },
    upstream: { url: node.url },
  });
  if (options.corruptSettingsFile === undefined) {
    writeFileSync(join(directory, SETTINGS_FILE), testSettings);
  } else {
    writeFileSync(join(directory, PREVIOUS_SETTINGS_FILE), testSettings);
    writeFileSync(join(directory, SETTINGS_FILE), options.corruptSettingsFile);
  }

  const opened = SettingsStore.open({ directory });
  const { settings } = opened;
  const engines = forkedEngines();
  const supervisor = new EngineSupervisor(engines.spawn, {
    logger: silentLogger(),
    backoffMs: [800, 1600, 3200],
    maxCrashes: options.maxCrashes ?? 3,
  });
  const controller = new AppController({
    store: opened.store,
    settings,
    supervisor,
    loginItem: { get: () => false, set: () => undefined },
    localNetworks: () => ["192.168.178.0/24"],
    logger: silentLogger(),
    notices: opened.notice
      ? [{ id: "settings-recovered", level: "warning", message: opened.notice }]
      : [],
  });
  const handlers = createHandlers(controller);

  const server = await serveRenderer();
  const profile = mkdtempSync(join(tmpdir(), "node-shield-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(
    profile,
    {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
    },
  );
  const page = context.pages()[0] ?? (await context.newPage());
  // Fail an action within the test's own timeout, naming the locator.
  page.setDefaultTimeout(5000);
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });

  await page.exposeFunction(
    "__shieldInvoke",
    (channel: string, request: unknown) => dispatch(handlers, channel, request),
  );
  await page.addInitScript({ content: await bridgeScript() });
  const emit = (channel: string, payload: unknown) =>
    void page
      .evaluate(
        ([name, data]) =>
          (
            window as unknown as { __shieldEmit(c: unknown, p: unknown): void }
          ).__shieldEmit(name, data),
        [channel, payload] as const,
      )
      .catch(() => undefined);
  controller.on("state", (state) => emit("app:state-changed", state));
  controller.on("stats", (stats) => emit("stats:snapshot", stats));

  controller.start();
  await waitFor(
    () => supervisor.status.phase === "running",
    "the engine to listen",
  );
  const { port } = server.address() as AddressInfo;
  await page.goto(`http://127.0.0.1:${port}/`);

  return {
    page,
    node,
    controller,
    supervisor,
    engines,
    directory,
    proxyPort: () =>
      Number(new URL(supervisor.status.listenUrl ?? "http://x:0").port),
    proxied: () =>
      node.received
        .filter(
          (request) => request.headers["user-agent"] !== NODE_CHECK_USER_AGENT,
        )
        .map(
          (request) => request.command ?? `${request.method} ${request.url}`,
        ),
    storedSettings: () =>
      JSON.parse(
        readFileSync(join(directory, SETTINGS_FILE), "utf8"),
      ) as Record<string, Record<string, unknown>>,
    screenshot: async (name) => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({
        path: join(SCREENSHOTS, `${name}.png`),
        fullPage: true,
      });
    },
    close: async () => {
      await context.close();
      server.close();
      await supervisor.stop(500);
      engines.killAll();
      await node.stop();
      rmSync(profile, { recursive: true, force: true });
      rmSync(directory, { recursive: true, force: true });
      if (pageErrors.length > 0)
        throw new Error(`errors in the page: ${pageErrors.join("\n")}`);
    },
  };
}

/** Polls `predicate` until it holds, for up to `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
