/**
 * Saves settings in a loop until it is killed, printing a line after each
 * save: the child process of the interrupted-write test. The loop is
 * bounded, so a test that does not kill it leaves no process behind.
 */
import { SettingsStore } from "../../main/settings-store.js";
import { parseSettings } from "../../shared/settings.js";

const directory = process.argv[2];
if (!directory) throw new Error("usage: settings-writer DIRECTORY");

const { store } = SettingsStore.open({ directory });
const deadline = Date.now() + 10_000;
for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
  const parsed = parseSettings({
    listen: { port: 20_000 + i },
    whitelist: {
      addresses: Array.from(
        { length: 200 },
        (_, n) => `10.${i % 250}.${n}.0/24`,
      ),
    },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  store.save(parsed.settings);
  process.stdout.write(`saved ${i}\n`);
}
