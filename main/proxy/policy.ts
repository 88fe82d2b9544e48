/**
 * A settings document compiled for the request path: the whitelist
 * matcher, the credential verifier and the classifier are built once per
 * settings change, never per request.
 */
import type { Settings } from "../../shared/settings.js";
import { createClassifier, type Classifier } from "./classify/index.js";
import { CredentialVerifier } from "./credentials.js";
import { compileWhitelist, type WhitelistMatcher } from "./whitelist.js";

/** The compiled form of one settings document. */
export interface Policy {
  readonly settings: Settings;
  readonly whitelist: WhitelistMatcher;
  /** Null when authentication is off. */
  readonly verifier: CredentialVerifier | null;
  readonly classify: Classifier;
}

/**
 * Compiles settings into a policy. The credential verifier, and with it the
 * cache of verified credentials, is kept when the authentication settings
 * did not change, and dropped when they did.
 */
export function compilePolicy(settings: Settings, previous?: Policy): Policy {
  const sameAuth =
    previous !== undefined &&
    JSON.stringify(previous.settings.basicAuth) ===
      JSON.stringify(settings.basicAuth);
  const verifier = settings.basicAuth.enabled
    ? sameAuth && previous.verifier
      ? previous.verifier
      : new CredentialVerifier(settings.basicAuth)
    : null;

  return {
    settings,
    whitelist: compileWhitelist(settings.whitelist.addresses),
    verifier,
    classify: createClassifier(settings),
  };
}
