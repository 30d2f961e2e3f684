// Electron composition root: builds the services and wires them together, nothing else.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { ContractHandlers } from '../src-preload/contract';
import { IpcRouter } from './electron/ipcRouter';
import { createMainWindow } from './electron/mainWindow';
import { isOwnRendererUrl, resolveRendererUrl } from './electron/rendererUrl';

// Sandbox every renderer, including any a later module forgets to configure.
app.enableSandbox();

// A second copy would race the first over config, audit log, keychain and global hotkey;
// it hands over to the running one instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  const rendererUrl = resolveRendererUrl({
    isPackaged: app.isPackaged,
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
    builtIndexPath: join(import.meta.dirname, '../renderer/index.html'),
  });
  const openMainWindow = () =>
    createMainWindow({
      rendererUrl,
      preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
    });

  // The desktop app runs no AgentCore yet, so no task has a terminal to show: an empty list,
  // and a clear refusal for a session id. Becomes `...core.terminals.handlers` with the core.
  const noTerminal = (): never => {
    throw new Error('terminal: no task runs in the desktop app yet, so there is no session');
  };
  const handlers: ContractHandlers = {
    'app.getStatus': () => ({
      version: app.getVersion(),
      mode: 'electron',
      platform: process.platform,
    }),
    'terminal.list': () => ({ sessions: [] }),
    'terminal.resize': noTerminal,
    'terminal.input': noTerminal,
  };

  app.on('window-all-closed', () => {
    // macOS apps stay running without windows until the user quits them.
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      new IpcRouter({
        handlers,
        isOwnRendererUrl: (url) => isOwnRendererUrl(rendererUrl, url),
      }).register();
      openMainWindow();
      // Registered only once ready: a window cannot be created before that.
      app.on('second-instance', () => {
        const [window] = BrowserWindow.getAllWindows();
        if (!window) return void openMainWindow();
        if (window.isMinimized()) window.restore();
        window.focus();
      });
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
      });
    })
    .catch((error: unknown) => {
      console.error('OmniPalm: failed to start:', error);
      app.exit(1);
    });
}
