/**
 * A small stand-in for the `electron` module, for tests of the main
 * process and the preload: `vi.mock("electron", () => import(...))`. It
 * records what the code under test created and lets the test play the
 * user (fire `ready`, click a menu item, invoke an IPC channel).
 */
import { EventEmitter } from "node:events";

export interface FakeMenuItem {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  click?: (item: { checked: boolean }) => void;
}

type Handler = (event: unknown, payload: unknown) => unknown;

/** Everything the fake recorded, reset by `resetFake`. */
export const fake = {
  appPath: process.cwd(),
  userData: "",
  singleInstance: true,
  loginItem: false,
  quitCalls: 0,
  windows: [] as FakeBrowserWindow[],
  trays: [] as FakeTray[],
  forks: [] as FakeUtilityProcess[],
  handlers: new Map<string, Handler>(),
  exposed: new Map<string, unknown>(),
  rendererInvokes: [] as { channel: string; payload: unknown }[],
  permissionHandler: undefined as
    | ((
        contents: unknown,
        permission: string,
        callback: (ok: boolean) => void,
      ) => void)
    | undefined,
};

let readyResolve: () => void = () => undefined;
let readyPromise = new Promise<void>((resolve) => (readyResolve = resolve));

/** Forgets everything recorded so far. */
export function resetFake(): void {
  fake.windows = [];
  fake.trays = [];
  fake.forks = [];
  fake.handlers = new Map();
  fake.exposed = new Map();
  fake.rendererInvokes = [];
  fake.quitCalls = 0;
  fake.loginItem = false;
  fake.singleInstance = true;
  fake.permissionHandler = undefined;
  app.removeAllListeners();
  ipcRenderer.removeAllListeners();
  readyPromise = new Promise<void>((resolve) => (readyResolve = resolve));
}

class FakeApp extends EventEmitter {
  whenReady = () => readyPromise;
  /** Fires `ready` as Electron would. */
  fireReady(): void {
    readyResolve();
    this.emit("ready");
  }
  getAppPath = () => fake.appPath;
  getPath = (name: string) => {
    if (name !== "userData") throw new Error(`no fake path for ${name}`);
    return fake.userData;
  };
  getVersion = () => "0.0.0-test";
  setPath = (name: string, path: string) => {
    if (name === "userData") fake.userData = path;
  };
  requestSingleInstanceLock = () => fake.singleInstance;
  quit = () => {
    fake.quitCalls++;
  };
  exit = () => undefined;
  getLoginItemSettings = () => ({ openAtLogin: fake.loginItem });
  setLoginItemSettings = ({ openAtLogin }: { openAtLogin: boolean }) => {
    fake.loginItem = openAtLogin;
  };
}

export const app = new FakeApp();

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  mainFrame: { url: string } = { url: "" };
  windowOpenHandler: ((details: { url: string }) => unknown) | undefined;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed = () => false;
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loadedFile: string | undefined;
  visible = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    fake.windows.push(this);
    app.emit("web-contents-created", {}, this.webContents);
  }
  async loadFile(path: string): Promise<void> {
    this.loadedFile = path;
    this.webContents.mainFrame.url = new URL(`file://${path}`).href;
  }
  show = () => {
    this.visible = true;
  };
  hide = () => {
    this.visible = false;
  };
  focus = () => undefined;
  isMinimized = () => false;
  restore = () => undefined;
  isVisible = () => this.visible;
  isDestroyed = () => false;
  static fromWebContents(contents: unknown) {
    return fake.windows.find((window) => window.webContents === contents);
  }
}
export { FakeBrowserWindow as BrowserWindow };

export class FakeTray extends EventEmitter {
  image: { path: string };
  menu: { items: FakeMenuItem[] } | undefined;
  tooltip = "";
  images: string[] = [];
  destroyed = false;
  constructor(image: { path: string }) {
    super();
    this.image = image;
    this.images.push(image.path);
    fake.trays.push(this);
  }
  setContextMenu(menu: { items: FakeMenuItem[] }): void {
    this.menu = menu;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setImage(image: { path: string }): void {
    this.image = image;
    this.images.push(image.path);
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Finds a menu item by label. */
  item(label: string): FakeMenuItem {
    const found = this.menu?.items.find((item) => item.label === label);
    if (!found) throw new Error(`no menu item ${label}`);
    return found;
  }
}
export { FakeTray as Tray };

export const Menu = {
  buildFromTemplate: (items: FakeMenuItem[]) => ({ items }),
};

export const nativeImage = {
  createFromPath: (path: string) => ({ path }),
};

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (fake.handlers.has(channel))
      throw new Error(`second handler for ${channel}`);
    fake.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    fake.handlers.delete(channel);
  },
  on: () => undefined,
};

export class FakeUtilityProcess extends EventEmitter {
  readonly posted: unknown[] = [];
  killed = false;
  constructor(
    readonly entry: string,
    readonly options: Record<string, unknown>,
  ) {
    super();
    fake.forks.push(this);
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
    // Like the engine host, stop and exit on a stop command.
    if ((message as { type?: string }).type === "stop")
      queueMicrotask(() => this.emit("exit", 0));
  }
  kill(): boolean {
    this.killed = true;
    queueMicrotask(() => this.emit("exit", null));
    return true;
  }
}

export const utilityProcess = {
  fork: (entry: string, _args: string[], options: Record<string, unknown>) =>
    new FakeUtilityProcess(entry, options),
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler: typeof fake.permissionHandler): void {
      fake.permissionHandler = handler;
    },
  },
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    fake.exposed.set(key, api);
  },
};

class FakeIpcRenderer extends EventEmitter {
  async invoke(channel: string, payload: unknown): Promise<unknown> {
    fake.rendererInvokes.push({ channel, payload });
    return { channel };
  }
}

export const ipcRenderer = new FakeIpcRenderer();

export const shell = { openPath: async () => "" };

export default {
  app,
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Menu,
  nativeImage,
  ipcMain,
  utilityProcess,
  session,
  contextBridge,
  ipcRenderer,
  shell,
};
