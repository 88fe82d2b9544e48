/**
 * An AppController on a temporary settings folder, with scripted engine
 * processes that respond like healthy ones.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { AppController } from "../../main/app-controller.js";
import { EngineSupervisor } from "../../main/engine-supervisor.js";
import { SettingsStore } from "../../main/settings-store.js";
import { silentLogger } from "../../shared/logger.js";
import { ScriptedEngine } from "./scripted-engine.js";

export interface ControllerFixture {
  controller: AppController;
  supervisor: EngineSupervisor;
  engines: ScriptedEngine[];
  directory: string;
  loginItem: { enabled: boolean };
  cleanUp(): void;
}

/** Creates a started controller. Needs `vi.mock("electron")` in the test file. */
export function createControllerFixture(
  localNetworks: string[] = ["192.168.178.0/24"],
): ControllerFixture {
  const directory = mkdtempSync(join(tmpdir(), "node-shield-app-"));
  const engines: ScriptedEngine[] = [];
  const supervisor = new EngineSupervisor(
    () => {
      const engine = new ScriptedEngine();
      engine.autoReply = true;
      engines.push(engine);
      return engine;
    },
    { logger: silentLogger() },
  );
  const opened = SettingsStore.open({ directory });
  const loginItem = { enabled: false };
  const controller = new AppController({
    store: opened.store,
    settings: opened.settings,
    supervisor,
    loginItem: {
      get: () => loginItem.enabled,
      set: (enabled) => {
        loginItem.enabled = enabled;
      },
    },
    localNetworks: () => localNetworks,
    logger: silentLogger(),
  });
  controller.start();
  return {
    controller,
    supervisor,
    engines,
    directory,
    loginItem,
    cleanUp: () => rmSync(directory, { recursive: true, force: true }),
  };
}
