/**
 * Builds dist/ once before the tests, so that the tests that load or fork
 * the bundles never run against stale ones.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
