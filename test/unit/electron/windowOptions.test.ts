// Both windows carry every hardening flag; the quick prompt is a small frameless bar on top.
import { describe, expect, it } from 'vitest';
import {
  hardenedWebPreferences,
  mainWindowOptions,
  promptWindowOptions,
} from '../../../src-main/electron/windowOptions.js';

const PRELOAD = '/opt/OmniPalm/resources/app.asar/out/preload/index.cjs';

const HARDENING = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  disableBlinkFeatures: 'Auxclick',
};

const windows = {
  main: mainWindowOptions({ preloadPath: PRELOAD }),
  prompt: promptWindowOptions({ preloadPath: PRELOAD, x: 400, y: 200 }),
};

describe('window options', () => {
  for (const [name, options] of Object.entries(windows)) {
    it(`${name} window: every hardening flag, our preload, shown only when ready`, () => {
      expect(options.webPreferences).toMatchObject({ ...HARDENING, preload: PRELOAD });
      // Nothing that loosens the defaults sneaks in next to them.
      expect(options.webPreferences).not.toHaveProperty('nodeIntegrationInWorker');
      expect(options.webPreferences).not.toHaveProperty('experimentalFeatures');
      expect(options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
      expect(options.show).toBe(false);
    });
  }

  it('builds both windows from the one hardened set', () => {
    expect(hardenedWebPreferences(PRELOAD)).toEqual({ ...HARDENING, preload: PRELOAD });
    expect(windows.main.webPreferences).toEqual(hardenedWebPreferences(PRELOAD));
    expect(windows.prompt.webPreferences).toEqual(hardenedWebPreferences(PRELOAD));
  });

  it('the quick prompt is a small frameless bar on top, out of the taskbar, where asked', () => {
    expect(windows.prompt).toMatchObject({
      frame: false,
      resizable: false,
      alwaysOnTop: true,
      skipTaskbar: true,
      x: 400,
      y: 200,
      width: 640,
      height: 120,
    });
  });

  it('the main window is an ordinary window', () => {
    expect(windows.main).toMatchObject({ width: 1100, height: 760, title: 'OmniPalm' });
    expect(windows.main.frame).not.toBe(false);
    expect(windows.main.alwaysOnTop).not.toBe(true);
    expect(windows.main.skipTaskbar).not.toBe(true);
  });
});
