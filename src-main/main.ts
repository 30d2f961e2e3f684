// Electron composition root: builds the services and wires them together, nothing else.
import { app, dialog, ipcMain, webContents } from 'electron';
import { join } from 'node:path';
import { AgentCore } from './agent/core';
import { ROOT_REFUSAL } from './cli/cliSupport';
import { omnipalmHome } from './config/home';
import { Desktop } from './electron/desktop';
import { IpcRouter } from './electron/ipcRouter';
import { isOwnRendererUrl, resolveRendererUrl } from './electron/rendererUrl';
import { coreEventHooks, createCoreHandlers, EventHub } from './server/coreHandlers';

// Sandbox every renderer, including any a later module forgets to configure.
app.enableSandbox();

if (process.getuid?.() === 0 && process.env['OMNIPALM_ALLOW_ROOT'] !== '1') {
  // The security guide: never as root unless the user opted in (omnipalm start --allow-root).
  dialog.showErrorBox('OmniPalm', ROOT_REFUSAL);
  app.exit(2);
} else if (!app.requestSingleInstanceLock()) {
  // A second copy would race the first over config, audit log, keychain and global hotkey;
  // it hands over to the running one instead (second-instance below).
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

  // A tray app: closing its windows does not end it; Quit in the tray menu does.
  app.on('window-all-closed', () => undefined);

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
      const stopRouterEvents = hub.subscribe((event, payload) => router.emit(event, payload));
      const desktop = new Desktop({
        rendererUrl,
        preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
        assetsDir: join(app.getAppPath(), 'assets'),
        hotkey: core.config.ui.hotkey,
        quickPromptSession: () => core.config.ui.quick_prompt_session,
        front,
        hub,
      });

      // Ordered shutdown, once: windows may close, then tasks stop and the stores close
      // before the process exits.
      let shutdown: Promise<void> | undefined;
      app.on('before-quit', () => desktop.prepareToQuit());
      app.on('will-quit', (event) => {
        if (shutdown) return;
        event.preventDefault();
        shutdown = (async () => {
          desktop.stop();
          stopRouterEvents();
          router.unregister();
          await front.close();
          await core.close();
        })()
          .catch((error: unknown) => console.error('OmniPalm: shutdown failed:', error))
          .finally(() => app.quit());
      });
      app.on('second-instance', () => desktop.showMain());
      app.on('activate', () => desktop.showMain());
      desktop.start();
      if (!app.isPackaged && process.env['OMNIPALM_E2E_HOOKS'] === '1') {
        // For test/e2e/electron.test.ts only; a packaged app never exposes it.
        Object.assign(globalThis, { __omnipalmDesktop: desktop.testSurface() });
      }
    })
    .catch((error: unknown) => {
      console.error('OmniPalm: failed to start:', error);
      dialog.showErrorBox('OmniPalm could not start', String(error));
      app.exit(1);
    });
}
