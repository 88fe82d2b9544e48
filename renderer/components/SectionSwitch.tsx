import type { ReactNode } from "react";

import type { PublicSettings } from "../../shared/app-state.js";
import { issuesAt, useChange } from "../hooks.js";
import { FieldErrors } from "./FieldErrors.js";

type Section = "basicAuth" | "whitelist" | "rateLimit";

/** Shows a protection's heading with its on/off switch. */
export function SectionSwitch({
  settings,
  section,
  title,
  children,
}: {
  settings: PublicSettings;
  section: Section;
  title: string;
  children?: ReactNode;
}) {
  const change = useChange();
  return (
    <div className="section-head">
      <h2>{title}</h2>
      <label className="switch">
        <input
          type="checkbox"
          checked={settings[section].enabled}
          disabled={change.pending}
          onChange={(event) => {
            const enabled = event.target.checked;
            void change.run(() =>
              window.shield.updateSettings({ [section]: { enabled } }),
            );
          }}
        />
        {title} on
      </label>
      {children}
      <FieldErrors messages={issuesAt(change.issues, section, "")} />
    </div>
  );
}
