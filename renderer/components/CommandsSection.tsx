import { useState } from "react";

import type { PublicSettings } from "../../shared/app-state.js";
import { LEGACY_COMMANDS } from "../../shared/iota-api.js";
import { issuesAt, useChange } from "../hooks.js";
import { FieldErrors } from "./FieldErrors.js";

/** Edits the legacy API commands that clients outside the whitelist may run. */
export function CommandsSection({ settings }: { settings: PublicSettings }) {
  const allowed = new Set(settings.commands.allowedRemote);
  const [open, setOpen] = useState(false);
  const change = useChange();

  const toggle = (command: string, enabled: boolean) => {
    const next = LEGACY_COMMANDS.filter((name) =>
      name === command ? enabled : allowed.has(name),
    );
    void change.run(() =>
      window.shield.updateSettings({ commands: { allowedRemote: next } }),
    );
  };

  return (
    <section className="card" aria-label="Allowed remote commands">
      <div className="section-head">
        <h2>Allowed remote commands</h2>
        <button onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? "Hide" : `Show (${allowed.size} allowed)`}
        </button>
      </div>
      <p className="hint">
        Clients outside the whitelist may run only these commands of the legacy
        API. attachToTangle and the admin commands are off by default.
      </p>
      {open && (
        <div className="commands">
          {LEGACY_COMMANDS.map((command) => (
            <label key={command}>
              <input
                type="checkbox"
                checked={allowed.has(command)}
                disabled={change.pending}
                onChange={(event) => toggle(command, event.target.checked)}
              />
              {command}
            </label>
          ))}
        </div>
      )}
      <FieldErrors messages={issuesAt(change.issues, "commands", "")} />
    </section>
  );
}
