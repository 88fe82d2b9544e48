import {
  describeStatus,
  trayStatus,
  type AppState,
} from "../../shared/app-state.js";
import { FieldErrors } from "./FieldErrors.js";
import { useChange } from "../hooks.js";

/** Listen address, upstream, the node's status, the engine and the master switch. */
export function StatusPanel({ state }: { state: AppState }) {
  const { settings, engine, node } = state;
  const change = useChange();
  const status = trayStatus(state);

  return (
    <header className={`status ${status}`}>
      <div className="status-line">
        <h1>Node Shield</h1>
        <p className="status-text" data-status={status}>
          {describeStatus(state)}
        </p>
        <label className="switch">
          <input
            type="checkbox"
            checked={settings.protection.enabled}
            disabled={change.pending}
            onChange={(event) => {
              const enabled = event.target.checked;
              void change.run(() => window.shield.setProtection(enabled));
            }}
          />
          Protection
        </label>
      </div>
      <dl className="facts">
        <dt>Listening on</dt>
        <dd>{engine.listenUrl ?? "not listening"}</dd>
        <dt>Node</dt>
        <dd>
          {settings.upstream.url}{" "}
          <span className="node-status" data-reachable={String(node.reachable)}>
            {nodeText(state)}
          </span>
        </dd>
      </dl>
      {(engine.phase === "failed" || engine.phase === "restarting") && (
        <div className="engine-error" role="alert">
          <p>
            {engine.phase === "failed"
              ? `${capitalize(engine.error ?? "the engine failed")}.`
              : `${capitalize(engine.error ?? "the engine stopped")}. Restarting (crash ${engine.crashes})…`}
          </p>
          {engine.phase === "failed" && (
            <button onClick={() => void window.shield.restartEngine()}>
              Restart the engine
            </button>
          )}
        </div>
      )}
      <FieldErrors messages={change.issues.map((issue) => issue.message)} />
    </header>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function nodeText({ node }: AppState): string {
  if (node.reachable === null) return "(checking…)";
  if (!node.reachable) return `(does not answer: ${node.error ?? "no answer"})`;
  if (node.name)
    return `(answers: ${node.name} ${node.version ?? ""})`.replace(" )", ")");
  return `(answers, but ${node.error ?? "did not say its name"})`;
}
