import { useState } from "react";

import { parseAddressRange } from "../../shared/address.js";
import type { PublicSettings } from "../../shared/app-state.js";
import { issuesAt, useChange } from "../hooks.js";
import { FieldErrors } from "./FieldErrors.js";
import { SectionSwitch } from "./SectionSwitch.js";

/** Whitelist entries with add, remove and "Allow my local network". */
export function WhitelistSection({ settings }: { settings: PublicSettings }) {
  const [entry, setEntry] = useState("");
  const change = useChange();
  const draft = entry.trim() === "" ? undefined : parseAddressRange(entry);
  const inline =
    draft && !draft.ok
      ? [`${entry.trim()} ${draft.reason}. ${draft.hint}`]
      : [];

  const add = async () => {
    if (!draft?.ok) return;
    if (await change.run(() => window.shield.addWhitelistEntry(entry)))
      setEntry("");
  };

  return (
    <section className="card" aria-label="Whitelist">
      <SectionSwitch
        settings={settings}
        section="whitelist"
        title="Whitelist"
      />
      <p className="hint">
        Only this machine and the addresses below get in. Whitelisted clients
        may also run every command.
      </p>
      <ul className="entries" aria-label="Whitelist entries">
        {settings.whitelist.addresses.length === 0 && (
          <li className="empty">No entries: only this machine gets in.</li>
        )}
        {settings.whitelist.addresses.map((address) => (
          <li key={address}>
            <code>{address}</code>
            <button
              aria-label={`Remove ${address}`}
              onClick={() =>
                void change.run(() =>
                  window.shield.removeWhitelistEntry(address),
                )
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label>
          Address or range
          <input
            value={entry}
            placeholder="192.168.1.20 or 192.168.1.0/24"
            aria-invalid={inline.length > 0}
            onChange={(event) => setEntry(event.target.value)}
          />
        </label>
        <button type="submit" disabled={!draft?.ok || change.pending}>
          Add
        </button>
        <button
          type="button"
          disabled={change.pending}
          onClick={() => void change.run(() => window.shield.addLocalNetwork())}
        >
          Allow my local network
        </button>
      </form>
      <FieldErrors messages={inline} />
      <FieldErrors messages={issuesAt(change.issues, "whitelist", "")} />
    </section>
  );
}
