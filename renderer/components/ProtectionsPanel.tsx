import type { AppState } from "../../shared/app-state.js";
import { AuthSection } from "./AuthSection.js";
import { CommandsSection } from "./CommandsSection.js";
import { ConnectionSection } from "./ConnectionSection.js";
import { RateLimitSection } from "./RateLimitSection.js";
import { WhitelistSection } from "./WhitelistSection.js";

/** Shows every protection with its switch and its settings. */
export function ProtectionsPanel({ state }: { state: AppState }) {
  const { settings } = state;
  return (
    <div className="protections">
      {!settings.protection.enabled && (
        <p className="warning" role="status">
          Protection is off: every request is forwarded to the node. The
          switches below apply when it is on again.
        </p>
      )}
      <AuthSection settings={settings} />
      <WhitelistSection settings={settings} />
      {/* A key of the stored values resets a form's drafts after a change made elsewhere, such as in the tray. */}
      <RateLimitSection
        key={JSON.stringify(settings.rateLimit)}
        settings={settings}
      />
      <CommandsSection settings={settings} />
      <ConnectionSection
        key={JSON.stringify([settings.listen, settings.upstream])}
        settings={settings}
      />
    </div>
  );
}
