import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "release/", "test-results/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      "no-console": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // The engine runs without Electron: headless, in the tests and in its own
    // process under the desktop app.
    files: ["main/proxy/**", "shared/**"],
    rules: {
      // Input checks match control characters on purpose.
      "no-control-regex": "off",
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "electron",
              message: "The engine and shared code must run without Electron.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**", "*.config.*", "esbuild.config.mjs"],
    rules: { "no-console": "off" },
  },
);
