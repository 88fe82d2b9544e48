/**
 * Builds dist/ once before the suites that run the built command and bundles.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  if (process.env.NODE_SHIELD_SKIP_BUILD === "1") return;
  execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "inherit" });
}
