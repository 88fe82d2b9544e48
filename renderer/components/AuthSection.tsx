import { useState } from "react";

import type { PublicSettings } from "../../shared/app-state.js";
import { issuesAt, useChange } from "../hooks.js";
import { FieldErrors } from "./FieldErrors.js";
import { SectionSwitch } from "./SectionSwitch.js";

/** Basic authentication: username, password with confirmation, or a pasted Hornet block. */
export function AuthSection({ settings }: { settings: PublicSettings }) {
  const auth = settings.basicAuth;
  const [username, setUsername] = useState(auth.username || "admin");
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [hornet, setHornet] = useState("");
  const [saved, setSaved] = useState("");
  const change = useChange();

  const savePassword = async () => {
    const ok = await change.run(() =>
      window.shield.setPassword(username, password, confirmation),
    );
    // The password leaves the page once: it is not kept in the form.
    setPassword("");
    setConfirmation("");
    setSaved(ok ? "Password saved. Authentication is on." : "");
  };
  const importBlock = async () => {
    const ok = await change.run(() => window.shield.importHornetAuth(hornet));
    if (ok) setHornet("");
    setSaved(ok ? "Hornet block imported. Authentication is on." : "");
  };

  return (
    <section className="card" aria-label="Authentication">
      <SectionSwitch
        settings={settings}
        section="basicAuth"
        title="Authentication"
      />
      <p className="hint">
        {auth.passwordSet
          ? `A password is set for ${auth.username} (${auth.scheme === "scrypt" ? "scrypt" : "Hornet SHA-256"}).`
          : "No password is set yet."}{" "}
        Every client, this machine included, must send it.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void savePassword();
        }}
      >
        <label>
          Username
          <input
            value={username}
            autoComplete="username"
            onChange={(event) => setUsername(event.target.value)}
          />
        </label>
        <FieldErrors messages={issuesAt(change.issues, "basicAuth.username")} />
        <label>
          {auth.passwordSet ? "New password" : "Password"}
          <input
            type="password"
            value={password}
            autoComplete="new-password"
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <FieldErrors messages={issuesAt(change.issues, "password")} />
        <label>
          Confirm password
          <input
            type="password"
            value={confirmation}
            autoComplete="new-password"
            onChange={(event) => setConfirmation(event.target.value)}
          />
        </label>
        <FieldErrors messages={issuesAt(change.issues, "confirmation")} />
        <button type="submit" disabled={change.pending}>
          {auth.passwordSet ? "Change password" : "Set password"}
        </button>
      </form>
      <details>
        <summary>Paste a Hornet basicAuth block</summary>
        <label>
          Hornet basicAuth block
          <textarea
            rows={5}
            value={hornet}
            spellCheck={false}
            onChange={(event) => setHornet(event.target.value)}
          />
        </label>
        <button
          disabled={change.pending || hornet.trim() === ""}
          onClick={() => void importBlock()}
        >
          Import block
        </button>
      </details>
      <FieldErrors
        messages={issuesAt(
          change.issues,
          "basicAuth.passwordHash",
          "basicAuth.passwordSalt",
          "basicAuth.enabled",
        ).concat(
          change.issues
            .filter((issue) => issue.path === "basicAuth" || issue.path === "")
            .map((issue) => issue.message),
        )}
      />
      {saved && <p role="status">{saved}</p>}
    </section>
  );
}
