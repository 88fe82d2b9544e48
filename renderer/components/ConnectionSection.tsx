import { useState } from "react";

import type { PublicSettings } from "../../shared/app-state.js";
import { issuesAt, useChange } from "../hooks.js";
import { FieldErrors } from "./FieldErrors.js";
import { NumberField, toNumber } from "./NumberField.js";

/** Listen address and the node's URL. */
export function ConnectionSection({ settings }: { settings: PublicSettings }) {
  const [host, setHost] = useState(settings.listen.host);
  const [port, setPort] = useState(String(settings.listen.port));
  const [upstream, setUpstream] = useState(settings.upstream.url);
  const change = useChange();

  return (
    <section className="card" aria-label="Connection">
      <div className="section-head">
        <h2>Connection</h2>
      </div>
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void change.run(() =>
            window.shield.updateSettings({
              listen: { host, port: toNumber(port) },
              upstream: { url: upstream },
            }),
          );
        }}
      >
        <label>
          Listen address
          <input
            value={host}
            onChange={(event) => setHost(event.target.value)}
          />
        </label>
        <NumberField
          label="Listen port"
          value={port}
          onChange={setPort}
          step="1"
        />
        <label className="wide">
          Node API URL
          <input
            value={upstream}
            onChange={(event) => setUpstream(event.target.value)}
          />
        </label>
        <button type="submit" disabled={change.pending}>
          Save connection
        </button>
      </form>
      <FieldErrors messages={issuesAt(change.issues, "listen.host")} />
      <FieldErrors messages={issuesAt(change.issues, "listen.port")} />
      <FieldErrors messages={issuesAt(change.issues, "upstream", "")} />
    </section>
  );
}
