/**
 * The handler of every invoke channel, and the dispatcher that validates a
 * request against the channel's schema before the handler sees it. Nothing
 * here imports Electron: `main/ipc.ts` connects it to `ipcMain`, and the
 * browser tests call `dispatch` directly.
 */
import {
  requestSchemas,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
} from "../shared/ipc.js";
import type { AppController } from "./app-controller.js";

export type Handlers = {
  [C in InvokeChannel]: (
    request: InvokeRequest<C>,
  ) => InvokeResponse<C> | Promise<InvokeResponse<C>>;
};

/** Raised for a request that does not match its channel's schema. */
export class InvalidRequestError extends Error {
  override readonly name = "InvalidRequestError";
}

/** Builds the handlers on top of the controller. */
export function createHandlers(controller: AppController): Handlers {
  return {
    "app:get-state": () => controller.state(),
    "app:dismiss-notice": ({ id }) => controller.dismissNotice(id),
    "app:set-open-at-login": ({ enabled }) =>
      controller.setOpenAtLogin(enabled),
    "settings:update": (patch) => controller.updateSettings(patch),
    "auth:set-password": ({ username, password, confirmation }) =>
      controller.setPassword(username, password, confirmation),
    "auth:import-hornet": ({ text }) => controller.importHornetAuth(text),
    "whitelist:add": ({ entry }) => controller.addWhitelistEntry(entry),
    "whitelist:remove": ({ entry }) => controller.removeWhitelistEntry(entry),
    "whitelist:add-local-network": () => controller.addLocalNetwork(),
    "clients:block": ({ address, seconds }) =>
      controller.blockClient(address, seconds),
    "clients:unblock": ({ address }) => controller.unblockClient(address),
    "engine:restart": () => controller.restartEngine(),
  };
}

/**
 * Validates `payload` for `channel` and runs its handler. Throws
 * InvalidRequestError for an unknown channel or a payload of the wrong
 * shape. The error names the channel and the field but not the value,
 * because the value may be a password.
 */
export async function dispatch(
  handlers: Handlers,
  channel: string,
  payload: unknown,
): Promise<unknown> {
  if (!Object.hasOwn(requestSchemas, channel))
    throw new InvalidRequestError(`unknown channel ${channel}`);
  const name = channel as InvokeChannel;
  const parsed = requestSchemas[name].safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues
      .map((issue) => issue.path.join(".") || "(request)")
      .join(", ");
    throw new InvalidRequestError(`invalid request on ${channel}: ${fields}`);
  }
  const handler = handlers[name] as (request: unknown) => unknown;
  return handler(parsed.data);
}
