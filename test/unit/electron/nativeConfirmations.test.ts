// Native confirmation dialogs over the real broker and UI front door, with a stand-in for
// dialog.showMessageBox that behaves as Electron's does (an aborted box resolves as cancelled).
import { describe, expect, it } from 'vitest';
import type { EventName, EventPayloadOf } from '../../../src-preload/contract.js';
import {
  ConfirmationBroker,
  type ConfirmationInput,
} from '../../../src-main/agent/confirmationBroker.js';
import {
  MAX_LISTED_LINES,
  NativeConfirmations,
  type NativeConfirmationsOptions,
} from '../../../src-main/electron/nativeConfirmations.js';
import { UiFrontDoor } from '../../../src-main/server/uiFrontDoor.js';

// Electron's own types, through the module under test (tests may not import 'electron').
type MessageBoxOptions = Parameters<NativeConfirmationsOptions['showMessageBox']>[0];
type MessageBoxReturnValue = Awaited<ReturnType<NativeConfirmationsOptions['showMessageBox']>>;

interface OpenBox {
  options: MessageBoxOptions;
  click: (button: string) => void;
}

/** dialog.showMessageBox as a test sees it: each box waits for click(); abort cancels it. */
function standInDialog() {
  const boxes: OpenBox[] = [];
  const waiters: (() => void)[] = [];
  const showMessageBox = (options: MessageBoxOptions): Promise<MessageBoxReturnValue> =>
    new Promise((resolve) => {
      const box: OpenBox = {
        options,
        click: (button) => {
          const index = options.buttons!.indexOf(button);
          if (index < 0) throw new Error(`no button ${button} in ${options.buttons!.join('/')}`);
          resolve({ response: index, checkboxChecked: false });
        },
      };
      options.signal?.addEventListener('abort', () =>
        resolve({ response: options.cancelId ?? 0, checkboxChecked: false }),
      );
      boxes.push(box);
      for (const wake of waiters.splice(0)) wake();
    });
  let taken = 0;
  return {
    showMessageBox,
    boxes,
    /** The next box the test has not looked at yet, waiting for it to open if need be. */
    async next(): Promise<OpenBox> {
      while (boxes.length <= taken) await new Promise<void>((wake) => waiters.push(wake));
      return boxes[taken++]!;
    },
  };
}

function setUp(options: { windowVisible?: boolean } = {}) {
  const dialog = standInDialog();
  const broker = new ConfirmationBroker({ timeoutMs: 60_000 });
  const holder: { native?: NativeConfirmations } = {};
  const emitted: string[] = [];
  const door = new UiFrontDoor({
    hasClients: () => true,
    emit: <E extends EventName>(event: E, payload: EventPayloadOf<E>) => {
      emitted.push(event);
      if (event === 'confirmation.requested') {
        holder.native!.requested((payload as EventPayloadOf<'confirmation.requested'>).request);
      }
      if (event === 'confirmation.settled') {
        holder.native!.settledElsewhere((payload as EventPayloadOf<'confirmation.settled'>).id);
      }
    },
  });
  const native = (holder.native = new NativeConfirmations({
    showMessageBox: dialog.showMessageBox,
    mainWindowVisible: () => options.windowVisible ?? true,
    answer: (id, answer) => door.answer(id, answer),
  }));
  broker.attach(door);
  return { broker, door, native, dialog, emitted };
}

function deletion(overrides: Partial<ConfirmationInput> = {}): ConfirmationInput {
  return {
    taskId: 'task-1',
    operation: 'delete',
    summary: 'This will delete 47 files. Proceed?',
    preview: ['~/Downloads/old/ (32 files)', '~/Downloads/tmp/ (15 files)'],
    fullPreview: Array.from({ length: 47 }, (_, index) => `~/Downloads/old/file-${index}.zip`),
    risk: 'high',
    reason: 'delete is in security.confirm_operations',
    fingerprint: 'delete:~/Downloads',
    ...overrides,
  };
}

describe('native confirmation dialogs', () => {
  it('asks a high-risk request natively: summary, preview and reason, No the default and cancel', async () => {
    const { broker, dialog } = setUp();
    const outcome = broker.request(deletion());
    const box = await dialog.next();
    expect(box.options).toMatchObject({
      type: 'warning',
      message: 'This will delete 47 files. Proceed?',
      buttons: ['Yes', 'No', 'List'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    expect(box.options.detail).toContain('~/Downloads/old/ (32 files)');
    expect(box.options.detail).toContain('Why: delete is in security.confirm_operations');
    expect(box.options.detail).toMatch(/No answer within (59|60) s counts as No/);
    box.click('Yes');
    await expect(outcome).resolves.toMatchObject({ approved: true, answer: 'yes', via: 'ui' });
  });

  it('No, and closing the box (its cancel), deny', async () => {
    const { broker, dialog } = setUp();
    const first = broker.request(deletion());
    (await dialog.next()).click('No');
    await expect(first).resolves.toMatchObject({ approved: false, answer: 'no' });

    const second = broker.request(deletion());
    const box = await dialog.next();
    // What Escape or the window's close button give: the cancelId.
    box.click(box.options.buttons![box.options.cancelId!]!);
    await expect(second).resolves.toMatchObject({ approved: false, answer: 'no' });
  });

  it('List shows everything affected (bounded), then Yes approves; Back returns to the question', async () => {
    const { broker, dialog } = setUp();
    const outcome = broker.request(deletion());
    (await dialog.next()).click('List');
    const list = await dialog.next();
    const lines = list.options.detail!.split('\n');
    expect(lines).toHaveLength(MAX_LISTED_LINES + 1);
    expect(lines[0]).toBe('~/Downloads/old/file-0.zip');
    expect(lines.at(-1)).toBe(`… and ${47 - MAX_LISTED_LINES} more`);
    expect(list.options).toMatchObject({ buttons: ['Yes', 'No', 'Back'], defaultId: 1 });
    list.click('Back');
    const again = await dialog.next();
    expect(again.options.message).toBe('This will delete 47 files. Proceed?');
    again.click('List');
    (await dialog.next()).click('Yes');
    await expect(outcome).resolves.toMatchObject({ approved: true });
  });

  it('leaves a medium-risk request to the modal while the window is visible, asks natively when hidden', async () => {
    const visible = setUp({ windowVisible: true });
    void visible.broker.request(deletion({ risk: 'medium' }));
    await Promise.resolve();
    expect(visible.dialog.boxes).toHaveLength(0);

    const hidden = setUp({ windowVisible: false });
    const outcome = hidden.broker.request(deletion({ risk: 'low' }));
    (await hidden.dialog.next()).click('Yes');
    await expect(outcome).resolves.toMatchObject({ approved: true });
  });

  it('the first answer wins: the modal answers, the native box closes and its late click counts for nothing', async () => {
    const { broker, door, dialog, native } = setUp();
    const outcome = broker.request(deletion());
    const box = await dialog.next();
    const [shown] = door.pending();
    expect(native.open).toBe(shown!.id);
    // The modal (confirmation.answer) says no first.
    expect(door.answer(shown!.id, 'no')).toBe(true);
    await expect(outcome).resolves.toMatchObject({ approved: false, answer: 'no' });
    expect(box.options.signal?.aborted).toBe(true);
    expect(native.open).toBeUndefined();
    // A click that races the close changes nothing.
    expect(() => box.click('Yes')).not.toThrow();
    expect(door.answer(shown!.id, 'yes')).toBe(false);
  });

  it('a stopped task closes its box; several requests are asked one after another', async () => {
    const { broker, dialog } = setUp();
    const stop = new AbortController();
    const first = broker.request(deletion({ summary: 'first' }), stop.signal);
    const second = broker.request(deletion({ summary: 'second' }));
    const box = await dialog.next();
    expect(box.options.message).toBe('first');
    expect(dialog.boxes).toHaveLength(1);
    stop.abort();
    await expect(first).resolves.toMatchObject({ approved: false });
    expect(box.options.signal?.aborted).toBe(true);
    const next = await dialog.next();
    expect(next.options.message).toBe('second');
    next.click('Yes');
    await expect(second).resolves.toMatchObject({ approved: true });
  });

  it('a dialog that fails to open approves nothing', async () => {
    const broker = new ConfirmationBroker({ timeoutMs: 50 });
    let native: NativeConfirmations | undefined;
    const door = new UiFrontDoor({
      hasClients: () => true,
      emit: (event, payload) => {
        if (event === 'confirmation.requested') {
          native!.requested((payload as EventPayloadOf<'confirmation.requested'>).request);
        }
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      native = new NativeConfirmations({
        showMessageBox: () => Promise.reject(new Error('no display')),
        mainWindowVisible: () => false,
        answer: (id, answer) => door.answer(id, answer),
      });
      broker.attach(door);
      await expect(broker.request(deletion())).resolves.toMatchObject({
        approved: false,
        answer: 'timeout',
      });
      expect(errors).toHaveLength(1);
    } finally {
      console.error = original;
    }
  });
});
