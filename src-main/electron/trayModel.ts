// What the tray shows, kept pure (type-only 'electron' imports) so it is tested in plain Node:
// the agent's state from the core's events (idle / working / waiting for you), the icon and
// tooltip for it, and the menu: Open OmniPalm, Ask…, Pause agent, Permissions, Audit log, Quit.
import type { MenuItemConstructorOptions } from 'electron';
import type { EventName, EventPayloadOf } from '../../src-preload/contract';

export type TrayState = 'idle' | 'working' | 'waiting';

/** Follows task.* and confirmation.* events; calls onChange when the tray should change. */
export class ActivityTracker {
  private readonly tasks = new Set<string>();
  private readonly questions = new Set<string>();

  constructor(private readonly onChange: () => void = () => undefined) {}

  readonly observe = <E extends EventName>(event: E, payload: EventPayloadOf<E>): void => {
    const before = this.summary();
    switch (event) {
      case 'task.started':
        this.tasks.add((payload as EventPayloadOf<'task.started'>).taskId);
        break;
      case 'task.ended':
        this.tasks.delete((payload as EventPayloadOf<'task.ended'>).taskId);
        break;
      case 'confirmation.requested':
        this.questions.add((payload as EventPayloadOf<'confirmation.requested'>).request.id);
        break;
      case 'confirmation.settled':
        this.questions.delete((payload as EventPayloadOf<'confirmation.settled'>).id);
        break;
      default:
        return;
    }
    if (this.summary() !== before) this.onChange();
  };

  get state(): TrayState {
    if (this.questions.size > 0) return 'waiting';
    return this.tasks.size > 0 ? 'working' : 'idle';
  }

  get runningTasks(): number {
    return this.tasks.size;
  }

  get openQuestions(): number {
    return this.questions.size;
  }

  private summary(): string {
    return `${this.tasks.size}/${this.questions.size}`;
  }
}

export interface TrayView {
  state: TrayState;
  runningTasks: number;
  openQuestions: number;
  paused: boolean;
  /** The registered hotkey, or undefined when the OS refused it. */
  hotkey: string | undefined;
}

/** assets/tray/<file>: the template images of each state (…@2x.png beside them). */
export function trayIconFile(state: TrayState): string {
  return `${state}.png`;
}

export function trayTooltip(view: TrayView): string {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (view.paused) return 'OmniPalm — paused';
  switch (view.state) {
    case 'waiting':
      return `OmniPalm — waiting for you (${plural(view.openQuestions, 'question')})`;
    case 'working':
      return `OmniPalm — working (${plural(view.runningTasks, 'task')})`;
    case 'idle':
      return 'OmniPalm — idle';
  }
}

export interface TrayActions {
  open: () => void;
  ask: () => void;
  setPaused: (paused: boolean) => void;
  permissions: () => void;
  auditLog: () => void;
  quit: () => void;
}

export function trayMenuTemplate(
  view: TrayView,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  return [
    { label: 'Open OmniPalm', click: () => actions.open() },
    {
      label: 'Ask…',
      // Shown beside the item; the global shortcut itself is registered by the hotkey module.
      ...(view.hotkey
        ? { accelerator: view.hotkey, registerAccelerator: false }
        : { sublabel: 'no global hotkey (see ui.hotkey)' }),
      enabled: !view.paused,
      click: () => actions.ask(),
    },
    { type: 'separator' },
    {
      label: 'Pause agent',
      type: 'checkbox',
      checked: view.paused,
      click: (item) => actions.setPaused(item.checked),
    },
    { label: 'Permissions', click: () => actions.permissions() },
    { label: 'Audit log', click: () => actions.auditLog() },
    { type: 'separator' },
    { label: 'Quit OmniPalm', click: () => actions.quit() },
  ];
}

/** Where the quick prompt opens: centred, a fifth of the way down the screen's work area. */
export function promptWindowPosition(
  workArea: { x: number; y: number; width: number; height: number },
  size: { width: number },
): { x: number; y: number } {
  return {
    x: Math.round(workArea.x + (workArea.width - size.width) / 2),
    y: Math.round(workArea.y + workArea.height / 5),
  };
}

/** Said once (notification and log) when globalShortcut.register refuses ui.hotkey. */
export function hotkeyRefusedMessage(accelerator: string): string {
  return (
    `OmniPalm could not register the global hotkey ${accelerator}: another app holds it, or ` +
    'this desktop does not allow global shortcuts (Wayland without the portal). Pick another ' +
    'with: omnipalm config set ui.hotkey "CommandOrControl+Alt+Space" and restart OmniPalm; ' +
    'until then use "Ask…" in the tray menu.'
  );
}
