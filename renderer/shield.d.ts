import type { ShieldApi } from "../shared/bridge.js";

declare global {
  interface Window {
    /** The bridge that the preload exposes. */
    shield: ShieldApi;
  }
}
