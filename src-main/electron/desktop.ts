// The desktop shell around the core (issue 10): the tray, the global hotkey's quick prompt,
// native confirmation dialogs and alert notifications, and the main window shown on demand.
// The decisions live in plain modules tested in Node (trayModel, nativeConfirmations,
// windowOptions, hardening); this file only hands them to Electron.
import {
  app,
  BrowserWindow,
  dialog,
  globalShortcut,
  Menu,
  nativeImage,
  Notification,
  screen,
  Tray,
} from 'electron';
import { join } from 'node:path';
import type { EventName, EventPayloadOf } from '../../src-preload/contract';
import type { CoreHandlers, EventHub } from '../server/coreHandlers';
import { createMainWindow, createPromptWindow } from './mainWindow';
import { NativeConfirmations } from './nativeConfirmations';
import {
  quickPromptSessionId,
  quickPromptUrl,
  type QuickPromptSessionSetting,
} from './quickPrompt';
import {
  ActivityTracker,
  hotkeyRefusedMessage,
  promptWindowPosition,
  trayIconFile,
  trayMenuTemplate,
  trayTooltip,
  type TrayView,
} from './trayModel';
import { PROMPT_WINDOW_SIZE } from './windowOptions';

export interface DesktopOptions {
  /** The renderer page (file: URL, or the dev server when not packaged). */
  rendererUrl: string;
  preloadPath: string;
  /** Folder holding tray/<state>.png. */
  assetsDir: string;
  /** ui.hotkey from config.yaml. */
  hotkey: string;
  /** ui.quick_prompt_session, read each time the quick prompt opens (config may change). */
  quickPromptSession: () => QuickPromptSessionSetting;
  front: CoreHandlers;
  hub: EventHub;
}

const NO_ACTIONS = {
  open: () => undefined,
  ask: () => undefined,
  setPaused: () => undefined,
  permissions: () => undefined,
  auditLog: () => undefined,
  quit: () => undefined,
};

export class Desktop {
  private main: BrowserWindow | undefined;
  private prompt: BrowserWindow | undefined;
  /** Set while the quick prompt is being opened (the session lookup and load are async). */
  private openingPrompt = false;
  private tray: Tray | undefined;
  private hotkey: string | undefined;
  private quitting = false;
  private readonly tracker = new ActivityTracker(() => this.refreshTray());
  private readonly confirmations: NativeConfirmations;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: DesktopOptions) {
    this.confirmations = new NativeConfirmations({
      showMessageBox: (box) => {
        const parent = this.visibleMainWindow();
        return parent ? dialog.showMessageBox(parent, box) : dialog.showMessageBox(box);
      },
      mainWindowVisible: () => this.visibleMainWindow() !== undefined,
      answer: (id, answer) => options.front.door.answer(id, answer),
    });
  }

  /** Call once the app is ready. */
  start(): void {
    // Native dialogs can always answer, so a request is shown even with no window open.
    this.detach.push(this.options.hub.subscribe((event, payload) => this.observe(event, payload)));
    this.tray = new Tray(this.trayIcon());
    this.tray.on('click', () => this.showMain());
    this.registerHotkey();
    this.refreshTray();
    this.showMain();
  }

  /** From the app's before-quit: windows may close for real from now on. */
  prepareToQuit(): void {
    this.quitting = true;
  }

  stop(): void {
    this.quitting = true;
    globalShortcut.unregisterAll();
    for (const detach of this.detach.splice(0)) detach();
    this.tray?.destroy();
  }

  /** A second launch of the app, or the dock icon: bring the main window back. */
  showMain(section?: string): void {
    const url = section ? `${this.options.rendererUrl}#${section}` : this.options.rendererUrl;
    if (!this.main || this.main.isDestroyed()) {
      this.main = createMainWindow({ rendererUrl: url, preloadPath: this.options.preloadPath });
      // Closing the window keeps the agent in the tray; Quit in the tray menu ends it.
      this.main.on('close', (event) => {
        if (this.quitting) return;
        event.preventDefault();
        this.main?.hide();
      });
      return;
    }
    if (section) void this.main.loadURL(url);
    if (this.main.isMinimized()) this.main.restore();
    this.main.show();
    this.main.focus();
  }

  /**
   * What the Playwright _electron smoke test drives (main.ts exposes it only in an unpackaged
   * app started with OMNIPALM_E2E_HOOKS=1): a tray menu cannot be clicked from a test.
   */
  testSurface(): { tray: () => { tooltip: string; menu: string[] }; togglePrompt: () => void } {
    return {
      tray: () => {
        const view = this.view();
        return {
          tooltip: trayTooltip(view),
          menu: trayMenuTemplate(view, NO_ACTIONS).map((item) => item.label ?? '-'),
        };
      },
      togglePrompt: () => this.togglePrompt(),
    };
  }

  private observe<E extends EventName>(event: E, payload: EventPayloadOf<E>): void {
    this.tracker.observe(event, payload);
    if (event === 'confirmation.requested') {
      this.confirmations.requested((payload as EventPayloadOf<'confirmation.requested'>).request);
    } else if (event === 'confirmation.settled') {
      this.confirmations.settledElsewhere((payload as EventPayloadOf<'confirmation.settled'>).id);
    } else if (event === 'monitor.alert') {
      this.notify('OmniPalm alert', (payload as EventPayloadOf<'monitor.alert'>).message);
    }
  }

  private registerHotkey(): void {
    const accelerator = this.options.hotkey;
    let registered: boolean;
    try {
      registered = globalShortcut.register(accelerator, () => this.togglePrompt());
    } catch {
      registered = false;
    }
    if (registered) {
      this.hotkey = accelerator;
      return;
    }
    const message = hotkeyRefusedMessage(accelerator);
    console.error(message);
    this.notify('OmniPalm hotkey', message);
  }

  private togglePrompt(): void {
    if (this.options.front.paused) {
      this.notify('OmniPalm is paused', 'Untick "Pause agent" in the tray menu to ask again.');
      return;
    }
    if (this.prompt && !this.prompt.isDestroyed() && this.prompt.isVisible()) {
      this.prompt.hide();
      return;
    }
    // A second press (or a held key repeating) while the first is still opening would create a
    // second, untracked prompt window.
    if (this.openingPrompt) return;
    this.openingPrompt = true;
    this.openPrompt()
      .catch((error: unknown) => {
        // Not shown: a prompt whose address did not change would go to the previous target.
        console.error('OmniPalm: could not open the quick prompt:', error);
      })
      .finally(() => {
        this.openingPrompt = false;
      });
  }

  /** The session the next quick prompt continues (null: a new one), per ui.quick_prompt_session. */
  private async promptSessionId(): Promise<string | null> {
    const setting = this.options.quickPromptSession();
    if (setting === 'new') return null;
    try {
      const { sessions } = await this.options.front.handlers['session.recent']({ limit: 1 });
      return quickPromptSessionId(setting, sessions);
    } catch (error) {
      // Fails safe: a new session carries no earlier context or untrusted-content state.
      console.error(
        'OmniPalm: could not read the last session; the quick prompt starts a new one:',
        error,
      );
      return null;
    }
  }

  private async openPrompt(): Promise<void> {
    const sessionId = await this.promptSessionId();
    const display = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
    const { x, y } = promptWindowPosition(display.workArea, PROMPT_WINDOW_SIZE);
    if (!this.prompt || this.prompt.isDestroyed()) {
      // Shows itself once loaded (ready-to-show).
      this.prompt = createPromptWindow({
        rendererUrl: this.options.rendererUrl,
        preloadPath: this.options.preloadPath,
        x,
        y,
        sessionId,
      });
      // The page's window.close() (Enter ran the task, or Escape) only hides it: the next
      // hotkey press opens it at once.
      this.prompt.on('close', (event) => {
        if (this.quitting) return;
        event.preventDefault();
        this.prompt?.hide();
      });
      this.prompt.on('blur', () => this.prompt?.hide());
      return;
    }
    // Only the #fragment changes: the page stays loaded and reads it at its next submit.
    const url = quickPromptUrl(this.options.rendererUrl, sessionId);
    if (this.prompt.webContents.getURL() !== url) await this.prompt.loadURL(url);
    this.prompt.setPosition(x, y);
    this.prompt.show();
    this.prompt.focus();
  }

  private view(): TrayView {
    return {
      state: this.tracker.state,
      runningTasks: this.tracker.runningTasks,
      openQuestions: this.tracker.openQuestions,
      paused: this.options.front.paused,
      hotkey: this.hotkey,
    };
  }

  private refreshTray(): void {
    const tray = this.tray;
    if (!tray || tray.isDestroyed()) return;
    const view = this.view();
    tray.setImage(this.trayIcon());
    tray.setToolTip(trayTooltip(view));
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayMenuTemplate(view, {
          open: () => this.showMain(),
          ask: () => this.togglePrompt(),
          setPaused: (paused) => {
            const stopped = this.options.front.setPaused(paused);
            if (stopped > 0) this.notify('OmniPalm paused', `Stopped ${stopped} running task(s).`);
            this.refreshTray();
          },
          permissions: () => this.showMain('permissions'),
          auditLog: () => this.showMain('timeline'),
          quit: () => app.quit(),
        }),
      ),
    );
  }

  private trayIcon() {
    const icon = nativeImage.createFromPath(
      join(this.options.assetsDir, 'tray', trayIconFile(this.tracker.state)),
    );
    // macOS draws template images in the menu bar's own colour (light or dark).
    if (process.platform === 'darwin') icon.setTemplateImage(true);
    return icon;
  }

  private visibleMainWindow(): BrowserWindow | undefined {
    const main = this.main;
    if (!main || main.isDestroyed() || !main.isVisible() || main.isMinimized()) return undefined;
    return main;
  }

  private notify(title: string, body: string): void {
    if (!Notification.isSupported()) return;
    new Notification({ title, body }).show();
  }
}
