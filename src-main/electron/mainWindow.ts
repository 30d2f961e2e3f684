// The main window, hardened per Electron's security checklist. The agent acts with the
// user's rights, so a renderer that runs hostile script must still gain nothing beyond the
// contract's named methods.
import { BrowserWindow, type Session, type WebContents } from 'electron';

export interface MainWindowOptions {
  /** From resolveRendererUrl: the built file, or the dev server when not packaged. */
  rendererUrl: string;
  /** Absolute path of the built preload (CommonJS: sandboxed preloads cannot be ESM). */
  preloadPath: string;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    show: false,
    title: 'OmniPalm',
    webPreferences: {
      preload: options.preloadPath,
      // Renderer script gets no Node, no require, and runs in an OS-level sandbox: an XSS
      // in the UI cannot become code execution on the user's machine.
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      // Page script cannot reach into the preload's world and tamper with its objects.
      contextIsolation: true,
      // Keeps the same-origin policy, so the page cannot read arbitrary files or sites.
      webSecurity: true,
      allowRunningInsecureContent: false,
      // No <webview>: it would be a second, unhardened browser inside ours.
      webviewTag: false,
    },
  });
  hardenWebContents(window.webContents);
  hardenSession(window.webContents.session);
  window.once('ready-to-show', () => window.show());
  window.loadURL(options.rendererUrl).catch((error: unknown) => {
    console.error(`OmniPalm: could not load the UI from ${options.rendererUrl}:`, error);
  });
  return window;
}

export function hardenWebContents(contents: WebContents): void {
  // Stops window.open / target=_blank from opening a new window with content we did not
  // choose, which would carry no hardening of ours.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Stops the page from navigating itself (a link in rendered content, an injected
  // location.href) to a foreign site that would then run with our preload attached.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function hardenSession(session: Session): void {
  // Stops page content from obtaining camera, microphone, geolocation, notifications,
  // clipboard reading and similar powers: OmniPalm's UI needs none of them.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  // The synchronous form (navigator.permissions.query and friends) says no as well.
  session.setPermissionCheckHandler(() => false);
  // And no direct access to USB, HID or serial devices.
  session.setDevicePermissionHandler(() => false);
}
