// Builds the engine and the headless command into dist/. Dependencies stay
// in node_modules and are loaded from there at run time.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: { cli: "main/proxy/cli/bin.ts" },
  outdir: "dist",
  banner: { js: "#!/usr/bin/env node" },
});
