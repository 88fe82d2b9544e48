/**
 * The log lines that tell the owner what the engine protects: one at start
 * and after each change of a protection.
 */
import { parseAddressRange } from "../../shared/address.js";
import type { Logger } from "../../shared/logger.js";
import type { Settings } from "../../shared/settings.js";

/** Logs which protections are on, and warns of settings that leave the node open. */
export function logProtection(log: Logger, settings: Settings): void {
  if (!settings.protection.enabled) {
    log.warn(
      "protection is OFF: every request is forwarded without authentication, whitelist, rate limit or command policy",
    );
    return;
  }
  const { basicAuth, whitelist, rateLimit, lockout } = settings;
  const parts = [
    `authentication ${basicAuth.enabled ? `on (${basicAuth.scheme})` : "off"}`,
    `whitelist ${whitelist.enabled ? `on (${whitelist.addresses.length} entries)` : "off"}`,
    `rate limit ${rateLimit.enabled ? `${rateLimit.requestsPerSecond}/s, burst ${rateLimit.burst}` : "off"}`,
    `lockout ${lockout.enabled && basicAuth.enabled ? "on" : "off"}`,
  ];
  log.info(`protection is on: ${parts.join(", ")}`);
  const everything = whitelist.addresses.filter((entry) => {
    const parsed = parseAddressRange(entry);
    return parsed.ok && parsed.value.prefixLength === 0;
  });
  if (everything.length > 0) {
    log.warn(
      { entries: everything },
      "the whitelist lets every address in, so every client may run every command: remove the /0 entry to keep the command policy",
    );
  }
}
