/**
 * Builds dist/ once before the suites that run the built command and
 * bundles: the headless command, the engine process, the main bundle, the
 * dashboard page and the packaged app. NODE_SHIELD_SKIP_BUILD=1 skips it
 * for a run on a fresh build.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  if (process.env.NODE_SHIELD_SKIP_BUILD === "1") return;
  execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "inherit" });
  execFileSync(
    process.execPath,
    ["node_modules/vite/bin/vite.js", "build", "--logLevel", "warn"],
    { stdio: "inherit" },
  );
}
