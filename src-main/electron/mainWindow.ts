// OmniPalm's windows: options from windowOptions.ts, guards from hardening.ts. This file
// only creates them and loads the UI.
import { BrowserWindow, shell } from 'electron';
import { hardenSession, hardenWebContents } from './hardening';
import { quickPromptUrl } from './quickPrompt';
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
  /** The session the prompt continues (ui.quick_prompt_session: last); null: a new one. */
  sessionId: string | null;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions({ preloadPath: options.preloadPath }));
  hardenAndLoad(window, options.rendererUrl);
  return window;
}

/**
 * The quick prompt window: the same renderer on its '#prompt' view (quickPrompt.ts). isOwnRendererUrl ignores
 * the hash, so the IPC router trusts it exactly as it trusts the main window.
 */
export function createPromptWindow(options: PromptWindowOptions): BrowserWindow {
  const window = new BrowserWindow(
    promptWindowOptions({ preloadPath: options.preloadPath, x: options.x, y: options.y }),
  );
  hardenAndLoad(window, quickPromptUrl(options.rendererUrl, options.sessionId));
  return window;
}

function hardenAndLoad(window: BrowserWindow, url: string): void {
  // A link the user clicked opens in the system browser (hardening checks its scheme).
  hardenWebContents(window.webContents, (url) => {
    shell.openExternal(url).catch((error: unknown) => {
      console.error(`OmniPalm: could not open ${url} in the browser:`, error);
    });
  });
  hardenSession(window.webContents.session);
  window.once('ready-to-show', () => window.show());
  window.loadURL(url).catch((error: unknown) => {
    console.error(`OmniPalm: could not load the UI from ${url}:`, error);
  });
}
