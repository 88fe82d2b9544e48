import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const RAW_IPC = {
  name: "electron",
  importNames: ["ipcMain", "ipcRenderer"],
  message:
    "Use the typed wrappers: main/ipc.ts in main, main/preload/ipc.ts in the preload.",
};

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
      "no-restricted-imports": ["error", { paths: [RAW_IPC] }],
    },
  },
  {
    // The two IPC wrappers are the only files that touch raw IPC.
    files: ["main/ipc.ts", "main/preload/ipc.ts"],
    rules: { "no-restricted-imports": "off" },
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
    // The dashboard runs sandboxed in a web page and reaches main only
    // through window.shield.
    files: ["renderer/**"],
    ...reactHooks.configs.flat["recommended-latest"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.flat["recommended-latest"].rules,
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "electron", message: "Use window.shield." }],
          patterns: [
            { group: ["node:*"], message: "The dashboard has no Node." },
            {
              group: ["../main/*", "../../main/*"],
              message: "The dashboard reaches main only through window.shield.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**", "*.config.*", "esbuild.config.mjs", "assets/*.mjs"],
    rules: { "no-console": "off" },
  },
  {
    files: ["scripts/**"],
    languageOptions: { globals: { ...globals.node } },
  },
);
