/**
 * Pure functions that turn a request from the dashboard or the tray into a
 * new settings document. Each result is still checked with `parseSettings`
 * before it reaches the engine or the store.
 */
import type { NetworkInterfaceInfo } from "node:os";

import { networkAddress, parseAddressRange } from "../shared/address.js";
import type { SettingsIssue } from "../shared/settings-errors.js";
import type { Settings } from "../shared/settings.js";
import type { SettingsPatch } from "../shared/ipc.js";

export type Change =
  | { ok: true; document: Record<string, unknown> }
  | { ok: false; message: string; issues: SettingsIssue[] };

/** Merges a patch into the settings, one level deep: fields of a section replace fields. */
export function applyPatch(settings: Settings, patch: SettingsPatch): Change {
  const document: Record<string, unknown> = { ...settings };
  for (const [section, fields] of Object.entries(patch)) {
    if (fields === undefined) continue;
    const current = (settings as Record<string, unknown>)[section];
    document[section] = { ...(current as object), ...fields };
  }
  return { ok: true, document };
}

/**
 * Adds whitelist entries in their canonical form and skips those already
 * there. The first invalid entry fails the whole change.
 */
export function addWhitelistEntries(
  settings: Settings,
  entries: readonly string[],
): Change {
  const addresses = [...settings.whitelist.addresses];
  for (const entry of entries) {
    const parsed = parseAddressRange(entry);
    if (!parsed.ok) return failure("whitelist.addresses", entry, parsed);
    if (!addresses.includes(parsed.value.text))
      addresses.push(parsed.value.text);
  }
  return {
    ok: true,
    document: { ...settings, whitelist: { ...settings.whitelist, addresses } },
  };
}

/** Removes a whitelist entry, written as it is stored or in any form that parses to it. */
export function removeWhitelistEntry(
  settings: Settings,
  entry: string,
): Change {
  const parsed = parseAddressRange(entry);
  const canonical = parsed.ok ? parsed.value.text : entry;
  const addresses = settings.whitelist.addresses.filter(
    (address) => address !== entry && address !== canonical,
  );
  return {
    ok: true,
    document: { ...settings, whitelist: { ...settings.whitelist, addresses } },
  };
}

/**
 * Returns the IPv4 networks of this machine's interfaces, as CIDR ranges.
 * Loopback is left out (it is always allowed) and so is IPv6, whose
 * interface prefixes are usually the provider's delegated range rather
 * than the home network.
 */
export function localNetworkRanges(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string[] {
  const ranges = new Set<string>();
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal || info.family !== "IPv4" || !info.cidr) continue;
      const prefix = Number(info.cidr.split("/")[1]);
      // A /32 is a point-to-point link, such as a VPN, not a network.
      if (!(prefix >= 8 && prefix < 32)) continue;
      ranges.add(`${networkAddress(info.address, prefix)}/${prefix}`);
    }
  }
  return [...ranges];
}

const HORNET_FIELDS = new Set([
  "enabled",
  "username",
  "passwordHash",
  "passwordSalt",
]);

/**
 * Reads a pasted Hornet `basicAuth` block: the block itself, the
 * `"basicAuth": {…}` line from config.json, or the whole `httpAPI` (Hornet
 * 0.5) or `restAPI` (Hornet 1.x) section around it.
 */
export function importHornetBlock(settings: Settings, text: string): Change {
  const block = findBasicAuthBlock(text.trim());
  if (!block) {
    return failure("basicAuth", "", {
      reason:
        "is not a Hornet basicAuth block (a JSON object with username, passwordHash and passwordSalt)",
      hint: 'Paste the "basicAuth": { … } part of Hornet\'s config.json.',
    });
  }
  const unknown = Object.keys(block).filter((key) => !HORNET_FIELDS.has(key));
  if (unknown.length > 0) {
    return failure("basicAuth", "", {
      reason: `has fields that a Hornet basicAuth block does not have: ${unknown.join(", ")}`,
      hint: "Paste only the basicAuth block.",
    });
  }
  return {
    ok: true,
    document: {
      ...settings,
      basicAuth: {
        enabled: block.enabled ?? true,
        username: block.username,
        passwordHash: block.passwordHash,
        passwordSalt: block.passwordSalt,
        scheme: "sha256",
      },
    },
  };
}

function findBasicAuthBlock(text: string): Record<string, unknown> | undefined {
  const candidates = [text, `{${text}}`];
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const block = unwrap(value);
    if (block) return block;
  }
  return undefined;
}

function unwrap(value: unknown): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  if ("passwordHash" in value) return value;
  for (const key of ["basicAuth", "httpAPI", "restAPI"]) {
    const inner = unwrap(value[key]);
    if (inner) return inner;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Builds a failed change with one issue on `path`. */
export function failure(
  path: string,
  value: string,
  problem: { reason: string; hint: string },
): Change {
  const subject = value === "" ? path : `${path}: ${JSON.stringify(value)}`;
  const message = `${subject} ${problem.reason}. ${problem.hint}`;
  return { ok: false, message, issues: [{ path, message }] };
}
