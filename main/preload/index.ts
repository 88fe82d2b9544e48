/**
 * Preload of the dashboard window. It exposes `window.shield`, the narrow
 * bridge of `shared/bridge.ts`, and nothing else. It is built as CommonJS
 * because sandboxed preloads cannot be ES modules.
 */
import { contextBridge } from "electron";

import { createBridge } from "../../shared/bridge.js";
import { invoke, subscribe } from "./ipc.js";

contextBridge.exposeInMainWorld("shield", createBridge(invoke, subscribe));
