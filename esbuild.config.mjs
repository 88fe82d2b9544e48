// Builds the headless command, the desktop app's main process, its preload
// and the engine process into dist/. Dependencies stay in node_modules and
// are loaded from there at run time; the dashboard is built by Vite.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
};

await Promise.all([
  build({
    ...common,
    target: "node20",
    entryPoints: { cli: "main/proxy/cli/bin.ts" },
    outdir: "dist",
    banner: { js: "#!/usr/bin/env node" },
  }),
  // The main process and the engine process run on Electron's Node, which is
  // Node 24 since Electron 40, so node22 is a safe lower target.
  build({
    ...common,
    target: "node22",
    entryPoints: {
      main: "main/index.ts",
      "engine-host": "main/proxy/host.ts",
    },
    outdir: "dist",
  }),
  // Sandboxed preloads must be CommonJS and may require only "electron".
  build({
    ...common,
    target: "chrome140",
    format: "cjs",
    packages: undefined,
    external: ["electron"],
    entryPoints: { preload: "main/preload/index.ts" },
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
  }),
]);
