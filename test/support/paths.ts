/** Paths of the project and its build output, for the tests. */
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = `${PROJECT_ROOT}dist/`;
export const ENGINE_HOST = `${DIST}engine-host.js`;
export const RENDERER_DIST = `${DIST}renderer/`;
