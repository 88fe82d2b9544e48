/**
 * The preload's one wrapper around `ipcRenderer`: typed invoke and
 * subscribe functions for the contract's channels, and nothing else, so the
 * page never gets a reference to `ipcRenderer` itself.
 */
import { ipcRenderer, type IpcRendererEvent } from "electron";

import type { Invoke, Subscribe } from "../../shared/bridge.js";
import type { EventContract } from "../../shared/ipc.js";

/** Invokes a contract channel in main. */
export const invoke: Invoke = (channel, request) =>
  ipcRenderer.invoke(channel, request);

/** Subscribes to a contract event; the returned function unsubscribes. */
export const subscribe: Subscribe = (channel, listener) => {
  // The event object is not passed on: it carries `sender`, which is
  // ipcRenderer itself.
  const handler = (
    _event: IpcRendererEvent,
    payload: EventContract[typeof channel],
  ) => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
};
