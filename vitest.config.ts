import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Stats arrive once a second, so a poll needs a few of them.
    expect: { poll: { timeout: 5000, interval: 50 } },
    // electron-store imports "electron"; inlining it lets vi.mock reach that import.
    server: { deps: { inline: ["electron-store"] } },
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
