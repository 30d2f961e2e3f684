import { describe, expect, it, vi } from 'vitest';
import {
  ActivityTracker,
  hotkeyRefusedMessage,
  promptWindowPosition,
  trayIconFile,
  trayMenuTemplate,
  trayTooltip,
  type TrayActions,
  type TrayView,
} from '../../../src-main/electron/trayModel.js';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../support/runCli.js';

const request = (id: string) => ({
  id,
  taskId: 't1',
  operation: 'delete' as const,
  summary: 'This will delete 1 file. Proceed?',
  preview: [],
  risk: 'high' as const,
  reason: 'delete asks',
  expiresAt: 0,
});

describe('tray state', () => {
  it('is idle, working while a task runs, waiting while a question is open', () => {
    const changed = vi.fn();
    const tracker = new ActivityTracker(changed);
    expect(tracker.state).toBe('idle');
    tracker.observe('task.started', { taskId: 't1', prompt: 'p' });
    expect(tracker.state).toBe('working');
    tracker.observe('confirmation.requested', { request: request('c1') });
    tracker.observe('confirmation.requested', { request: request('c2') });
    expect(tracker.state).toBe('waiting');
    expect(tracker.openQuestions).toBe(2);
    tracker.observe('confirmation.settled', { id: 'c1', answer: 'yes', approved: true });
    tracker.observe('confirmation.settled', { id: 'c2', answer: 'closed', approved: null });
    expect(tracker.state).toBe('working');
    tracker.observe('task.ended', { taskId: 't1', status: 'done' } as never);
    expect(tracker.state).toBe('idle');
    expect(changed).toHaveBeenCalledTimes(6);
    // Events that change nothing do not redraw the tray.
    tracker.observe('timeline.event', {
      kind: 'tool_call',
      level: 'INFO',
      summary: 'x',
      time: 0,
    });
    tracker.observe('task.ended', { taskId: 'unknown', status: 'done' } as never);
    expect(changed).toHaveBeenCalledTimes(6);
  });

  it('has an icon (1x and 2x) in assets/tray for every state', () => {
    for (const state of ['idle', 'working', 'waiting'] as const) {
      const file = path.join(REPO_ROOT, 'assets', 'tray', trayIconFile(state));
      expect(fs.existsSync(file), file).toBe(true);
      expect(fs.existsSync(file.replace(/\.png$/, '@2x.png')), file).toBe(true);
    }
  });

  it('says what the agent is doing in the tooltip', () => {
    const view: TrayView = {
      state: 'waiting',
      runningTasks: 1,
      openQuestions: 1,
      paused: false,
      hotkey: 'CommandOrControl+Shift+Space',
    };
    expect(trayTooltip(view)).toBe('OmniPalm — waiting for you (1 question)');
    expect(trayTooltip({ ...view, state: 'working', runningTasks: 2 })).toBe(
      'OmniPalm — working (2 tasks)',
    );
    expect(trayTooltip({ ...view, state: 'idle' })).toBe('OmniPalm — idle');
    expect(trayTooltip({ ...view, paused: true })).toBe('OmniPalm — paused');
  });
});

describe('tray menu', () => {
  const actions = (): TrayActions & Record<string, ReturnType<typeof vi.fn>> => ({
    open: vi.fn(),
    ask: vi.fn(),
    setPaused: vi.fn(),
    permissions: vi.fn(),
    auditLog: vi.fn(),
    quit: vi.fn(),
  });
  const view: TrayView = {
    state: 'idle',
    runningTasks: 0,
    openQuestions: 0,
    paused: false,
    hotkey: 'CommandOrControl+Shift+Space',
  };

  it('has the items of the issue, in order, each doing its action', () => {
    const act = actions();
    const menu = trayMenuTemplate(view, act);
    expect(menu.map((item) => item.label ?? item.type)).toEqual([
      'Open OmniPalm',
      'Ask…',
      'separator',
      'Pause agent',
      'Permissions',
      'Audit log',
      'separator',
      'Quit OmniPalm',
    ]);
    const click = (label: string, checked = false) =>
      (menu.find((item) => item.label === label)!.click as (item: { checked: boolean }) => void)({
        checked,
      });
    click('Open OmniPalm');
    click('Ask…');
    click('Pause agent', true);
    click('Permissions');
    click('Audit log');
    click('Quit OmniPalm');
    expect(act.open).toHaveBeenCalledOnce();
    expect(act.ask).toHaveBeenCalledOnce();
    expect(act.setPaused).toHaveBeenCalledWith(true);
    expect(act.permissions).toHaveBeenCalledOnce();
    expect(act.auditLog).toHaveBeenCalledOnce();
    expect(act.quit).toHaveBeenCalledOnce();
  });

  it('shows the hotkey beside Ask… without registering it a second time, or why there is none', () => {
    const ask = trayMenuTemplate(view, actions())[1]!;
    expect(ask).toMatchObject({
      accelerator: 'CommandOrControl+Shift+Space',
      registerAccelerator: false,
      enabled: true,
    });
    const none = trayMenuTemplate({ ...view, hotkey: undefined }, actions())[1]!;
    expect(none.accelerator).toBeUndefined();
    expect(none.sublabel).toMatch(/no global hotkey/);
  });

  it('ticks Pause agent while paused, and Ask… is off then', () => {
    const menu = trayMenuTemplate({ ...view, paused: true }, actions());
    expect(menu[3]).toMatchObject({ type: 'checkbox', checked: true });
    expect(menu[1]!.enabled).toBe(false);
  });
});

describe('quick prompt and hotkey', () => {
  it('opens the prompt centred near the top of the work area', () => {
    expect(
      promptWindowPosition({ x: 1920, y: 0, width: 2560, height: 1400 }, { width: 640 }),
    ).toEqual({ x: 1920 + 960, y: 280 });
  });

  it('says how to fix a refused hotkey', () => {
    const message = hotkeyRefusedMessage('CommandOrControl+Shift+Space');
    expect(message).toContain('CommandOrControl+Shift+Space');
    expect(message).toContain('omnipalm config set ui.hotkey');
    expect(message).toContain('Ask…');
  });
});
