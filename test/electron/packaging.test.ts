/**
 * Packs the app unpacked for Linux with electron-builder, with a stand-in
 * for the Electron binary (which cannot be downloaded everywhere), and
 * checks that app.asar contains every file main loads. Real installers need
 * the Electron download and run on release machines.
 */
import { execFile } from "node:child_process";
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";

import { extractFile, listPackage } from "@electron/asar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { appPaths, TRAY_STATUSES } from "../../main/paths.js";
import { DIST, PROJECT_ROOT, RENDERER_DIST } from "../support/paths.js";

const run = promisify(execFile);
let work: string;
let asarPath: string;
let entries: Set<string>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "node-shield-pack-"));
  const fakeDist = join(work, "electron-dist");
  const output = join(work, "out");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(fakeDist);
  writeFileSync(join(fakeDist, "electron"), "#!/bin/sh\necho stand-in\n");
  chmodSync(join(fakeDist, "electron"), 0o755);

  // Fuses are flipped inside the real binary, which the stand-in is not.
  const config = readFileSync(
    join(PROJECT_ROOT, "electron-builder.yml"),
    "utf8",
  );
  const withoutFuses = config.replace(/^electronFuses:\n(?: {2}.*\n)+/m, "");
  const configPath = join(work, "electron-builder.yml");
  writeFileSync(configPath, withoutFuses);

  await run(
    join(PROJECT_ROOT, "node_modules", ".bin", "electron-builder"),
    [
      "--config",
      configPath,
      "--linux",
      "dir",
      `-c.electronDist=${fakeDist}`,
      `-c.directories.output=${output}`,
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, CI: "true" }, timeout: 60_000 },
  );
  asarPath = join(output, "linux-unpacked", "resources", "app.asar");
  entries = new Set(
    listPackage(asarPath, { isPack: false }).map((entry) =>
      entry.split(sep).join("/"),
    ),
  );
}, 90_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function inAsar(file: string): string {
  return `/${relative(PROJECT_ROOT, file).split(sep).join("/")}`;
}

function bareImports(bundle: string): string[] {
  const code = readFileSync(bundle, "utf8");
  const names = [...code.matchAll(/from "([^".][^"]*)"/g)].map(
    (match) => match[1] ?? "",
  );
  return [...new Set(names)]
    .filter((name) => !name.startsWith("node:") && name !== "electron")
    .map((name) =>
      name
        .split("/")
        .slice(0, name.startsWith("@") ? 2 : 1)
        .join("/"),
    );
}

describe("packaged app", () => {
  it("config has the app id, targets and fuses", () => {
    const config = readFileSync(
      join(PROJECT_ROOT, "electron-builder.yml"),
      "utf8",
    );
    expect(config).toContain("appId: org.nodeshield.app");
    expect(config).toContain("productName: Node Shield");
    for (const target of ["AppImage", "deb", "nsis", "dmg"])
      expect(config).toContain(target);
    expect(config).toMatch(
      /electronFuses:\n(?: {2}.*\n)*? {2}runAsNode: false/,
    );
  });

  it("asar contains every file main loads", () => {
    const paths = appPaths(PROJECT_ROOT, "linux");
    const mac = appPaths(PROJECT_ROOT, "darwin");
    const files = [
      paths.page,
      paths.preload,
      paths.engineHost,
      paths.appIcon,
      join(DIST, "main.js"),
      ...TRAY_STATUSES.flatMap((status) => [
        paths.trayIcons[status],
        mac.trayIcons[status],
      ]),
    ];
    for (const file of files) {
      expect(entries.has(inAsar(file)), inAsar(file)).toBe(true);
      const twice = file.replace(/\.png$/, "@2x.png");
      if (file.includes("tray-"))
        expect(entries.has(inAsar(twice)), inAsar(twice)).toBe(true);
    }
  });

  it("asar contains the whole dashboard build", () => {
    const walk = (directory: string): string[] =>
      readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? walk(join(directory, entry.name))
          : [join(directory, entry.name)],
      );
    const built = walk(RENDERER_DIST).filter((file) => !file.endsWith(".map"));
    expect(built.length).toBeGreaterThan(2);
    for (const file of built)
      expect(entries.has(inAsar(file)), inAsar(file)).toBe(true);
  });

  it("asar contains the packages the bundles import", () => {
    const packages = new Set([
      ...bareImports(join(DIST, "main.js")),
      ...bareImports(join(DIST, "engine-host.js")),
    ]);
    expect(packages).toContain("electron-store");
    expect(packages).toContain("pino");
    for (const name of packages)
      expect(entries.has(`/node_modules/${name}/package.json`), name).toBe(
        true,
      );
  });

  it("asar leaves out sources, tests and dev tools", () => {
    const unwanted = [...entries].filter(
      (entry) =>
        entry.startsWith("/test/") ||
        entry.startsWith("/main/") ||
        entry.startsWith("/renderer/") ||
        entry.startsWith("/node_modules/electron/") ||
        entry.startsWith("/node_modules/react/") ||
        entry.startsWith("/node_modules/vite/"),
    );
    expect(unwanted).toEqual([]);
  });

  it("package.json points at the main bundle", () => {
    const manifest = JSON.parse(
      extractFile(asarPath, "package.json").toString("utf8"),
    ) as {
      main: string;
    };
    expect(manifest.main).toBe("dist/main.js");
  });
});
