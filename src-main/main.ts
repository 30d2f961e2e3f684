// Electron composition root: builds the services and wires them together, nothing else.
import { app, BrowserWindow, ipcMain, webContents } from 'electron';
import { join } from 'node:path';
import { AgentCore } from './agent/core';
import { omnipalmHome } from './config/home';
import { IpcRouter } from './electron/ipcRouter';
import { createMainWindow } from './electron/mainWindow';
import { isOwnRendererUrl, resolveRendererUrl } from './electron/rendererUrl';
import { coreEventHooks, createCoreHandlers, EventHub } from './server/coreHandlers';

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

  app.on('window-all-closed', () => {
    // macOS apps stay running without windows until the user quits them.
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(async () => {
      // The same core and handlers as the headless server: tasks, confirmations, timeline
      // and terminals, with the core's events fanned out through one hub.
      const hub = new EventHub();
      const core = await AgentCore.open({
        home: omnipalmHome(process.env),
        env: process.env,
        ...coreEventHooks(hub),
      });
      const front = createCoreHandlers(core, {
        mode: 'electron',
        hub,
        version: app.getVersion(),
      });
      const router = new IpcRouter({
        handlers: front.handlers,
        isOwnRendererUrl: (url) => isOwnRendererUrl(rendererUrl, url),
        ipcMain,
        allWebContents: () => webContents.getAllWebContents(),
      });
      router.register();
      hub.subscribe((event, payload) => router.emit(event, payload));
      app.on('will-quit', () => {
        void front.close().then(() => core.close());
      });
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
