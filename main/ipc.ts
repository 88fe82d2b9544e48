/**
 * The one place in main that touches `ipcMain`. Every channel of the
 * contract gets a handler that first checks the sender (only the app's own
 * dashboard page may call) and then the request's shape.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from "electron";

import {
  INVOKE_CHANNELS,
  type EventChannel,
  type EventContract,
} from "../shared/ipc.js";
import type { Logger } from "../shared/logger.js";
import { dispatch, type Handlers } from "./ipc-handlers.js";

/** Decides whether an IPC message comes from the app's own window and page. */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** Raised to the renderer for a message from a window or page that is not ours. */
export class UntrustedSenderError extends Error {
  override readonly name = "UntrustedSenderError";
}

/** Registers a handler for every invoke channel. Returns a function that removes them. */
export function registerIpcHandlers(
  handlers: Handlers,
  isTrusted: SenderCheck,
  logger: Logger,
): () => void {
  const log = logger.child({ module: "ipc" });
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!isTrusted(event)) {
        log.warn(
          { channel, url: event.senderFrame?.url },
          "rejected an IPC message from a foreign sender",
        );
        throw new UntrustedSenderError(`${channel}: sender not allowed`);
      }
      try {
        return await dispatch(handlers, channel, payload);
      } catch (error) {
        log.warn({ channel, err: String(error) }, "IPC request failed");
        throw error;
      }
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Sends an event of the contract to a window's page. */
export function sendEvent<E extends EventChannel>(
  contents: WebContents,
  channel: E,
  payload: EventContract[E],
): void {
  if (!contents.isDestroyed()) contents.send(channel, payload);
}
