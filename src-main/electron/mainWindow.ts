// OmniPalm's windows: options from windowOptions.ts, guards from hardening.ts. This file
// only creates them and loads the UI.
import { BrowserWindow } from 'electron';
import { hardenSession, hardenWebContents } from './hardening';
import { mainWindowOptions, promptWindowOptions } from './windowOptions';

export { hardenSession, hardenWebContents } from './hardening';

export interface MainWindowOptions {
  /** From resolveRendererUrl: the built file, or the dev server when not packaged. */
  rendererUrl: string;
  /** Absolute path of the built preload (CommonJS: sandboxed preloads cannot be ESM). */
  preloadPath: string;
}

export interface PromptWindowOptions extends MainWindowOptions {
  /** Where the window's top-left corner goes, in screen coordinates. */
  x: number;
  y: number;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions({ preloadPath: options.preloadPath }));
  hardenAndLoad(window, options.rendererUrl);
  return window;
}

/**
 * The quick prompt window: the same renderer on its '#prompt' view. isOwnRendererUrl ignores
 * the hash, so the IPC router trusts it exactly as it trusts the main window.
 */
export function createPromptWindow(options: PromptWindowOptions): BrowserWindow {
  const window = new BrowserWindow(
    promptWindowOptions({ preloadPath: options.preloadPath, x: options.x, y: options.y }),
  );
  hardenAndLoad(window, `${options.rendererUrl}#prompt`);
  return window;
}

function hardenAndLoad(window: BrowserWindow, url: string): void {
  hardenWebContents(window.webContents);
  hardenSession(window.webContents.session);
  window.once('ready-to-show', () => window.show());
  window.loadURL(url).catch((error: unknown) => {
    console.error(`OmniPalm: could not load the UI from ${url}:`, error);
  });
}
