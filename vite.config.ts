// Builds the dashboard into dist/renderer/. Relative asset paths, because
// the window loads the page from a file.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: "renderer",
  base: "./",
  plugins: [react()],
  build: {
    outDir: "../dist/renderer",
    emptyOutDir: true,
    // Inlined assets would be data: URLs, which the page's CSP blocks.
    assetsInlineLimit: 0,
    sourcemap: true,
    // The bundle is read from disk, not downloaded, so its size matters little.
    chunkSizeWarningLimit: 1024,
  },
});
