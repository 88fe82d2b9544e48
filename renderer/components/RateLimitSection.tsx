import { useState } from "react";

import type { PublicSettings } from "../../shared/app-state.js";
import { issuesAt, useChange } from "../hooks.js";
import { FieldErrors } from "./FieldErrors.js";
import { NumberField, toNumber } from "./NumberField.js";
import { SectionSwitch } from "./SectionSwitch.js";

/** Token bucket per client: requests per second and burst. */
export function RateLimitSection({ settings }: { settings: PublicSettings }) {
  const { rateLimit } = settings;
  const [rate, setRate] = useState(String(rateLimit.requestsPerSecond));
  const [burst, setBurst] = useState(String(rateLimit.burst));
  const change = useChange();

  return (
    <section className="card" aria-label="Rate limit">
      <SectionSwitch
        settings={settings}
        section="rateLimit"
        title="Rate limit"
      />
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void change.run(() =>
            window.shield.updateSettings({
              rateLimit: {
                requestsPerSecond: toNumber(rate),
                burst: toNumber(burst),
              },
            }),
          );
        }}
      >
        <NumberField
          label="Requests per second"
          value={rate}
          onChange={setRate}
        />
        <NumberField label="Burst" value={burst} onChange={setBurst} step="1" />
        <button type="submit" disabled={change.pending}>
          Save rate limit
        </button>
      </form>
      <FieldErrors messages={issuesAt(change.issues, "rateLimit", "")} />
    </section>
  );
}
