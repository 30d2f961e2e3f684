// The options of OmniPalm's windows, kept pure (type-only 'electron' imports) so a unit test
// can check every hardening flag in plain Node. The agent acts with the user's rights: a
// renderer that runs hostile script must still gain nothing beyond the contract's methods.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export interface WindowOptionsInputs {
  /** Absolute path of the built preload (CommonJS: sandboxed preloads cannot be ESM). */
  preloadPath: string;
}

export interface PromptWindowOptionsInputs extends WindowOptionsInputs {
  /** Where the window's top-left corner goes, in screen coordinates. */
  x: number;
  y: number;
}

/** The webPreferences every OmniPalm window uses; no window may loosen them. */
export function hardenedWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
    // A file or link dropped on the window must not replace our page with its own (which
    // would then run with the preload attached).
    navigateOnDragDrop: false,
    // A page looping alert()/confirm() cannot lock the user out of the window.
    safeDialogs: true,
    // A middle click on a link opens nothing (auxclick would bypass the navigation guards).
    disableBlinkFeatures: 'Auxclick',
  };
}

export function mainWindowOptions(inputs: WindowOptionsInputs): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    // Shown on ready-to-show, so the user never sees an empty white frame.
    show: false,
    title: 'OmniPalm',
    webPreferences: hardenedWebPreferences(inputs.preloadPath),
  };
}

/** The quick prompt: a small bar floating over whatever the user is doing. */
/** The quick prompt window's size (its position comes from trayModel.promptWindowPosition). */
export const PROMPT_WINDOW_SIZE = { width: 640, height: 120 } as const;

export function promptWindowOptions(
  inputs: PromptWindowOptionsInputs,
): BrowserWindowConstructorOptions {
  return {
    x: inputs.x,
    y: inputs.y,
    ...PROMPT_WINDOW_SIZE,
    show: false,
    title: 'OmniPalm',
    frame: false,
    resizable: false,
    // A transient bar, not an app window: no taskbar entry, and it stays above the window
    // the user summoned it over.
    skipTaskbar: true,
    alwaysOnTop: true,
    webPreferences: hardenedWebPreferences(inputs.preloadPath),
  };
}
