// The confirmation broker: the first answer from any front door wins, and everything that is
// not a clear yes — no door, a broken door, the deadline, the caller giving up — is a no.
import { describe, expect, it, vi } from 'vitest';
import {
  ConfirmationBroker,
  type ConfirmationAnswer,
  type ConfirmationEvent,
  type ConfirmationInput,
  type ConfirmationRequest,
  type FrontDoor,
} from '../../../src-main/agent/confirmationBroker.js';

/** A clock the test moves by hand: no real waiting. */
function manualClock(start = 1_000_000) {
  let time = start;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let nextId = 1;
  return {
    now: () => time,
    setTimer: (callback: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { at: time + ms, callback });
      return id;
    },
    clearTimer: (handle: unknown) => void timers.delete(handle as number),
    active: () => timers.size,
    advance(ms: number) {
      time += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= time) {
          timers.delete(id);
          timer.callback();
        }
      }
    },
  };
}

/** A front door that records what it was shown and lets the test answer. */
class RecordingDoor implements FrontDoor {
  readonly shown: {
    request: ConfirmationRequest;
    answer: (answer: ConfirmationAnswer) => void;
    signal: AbortSignal;
  }[] = [];
  constructor(
    readonly name: string,
    private readonly accepts: (request: ConfirmationRequest) => boolean = () => true,
  ) {}
  canShow(request: ConfirmationRequest): boolean {
    return this.accepts(request);
  }
  show(
    request: ConfirmationRequest,
    answer: (answer: ConfirmationAnswer) => void,
    signal: AbortSignal,
  ): void {
    this.shown.push({ request, answer, signal });
  }
  last() {
    const shown = this.shown.at(-1);
    if (!shown) throw new Error(`${this.name} was shown nothing`);
    return shown;
  }
}

function setup(timeoutMs = 60_000) {
  const clock = manualClock();
  const events: ConfirmationEvent[] = [];
  const broker = new ConfirmationBroker({
    timeoutMs,
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    onEvent: (event) => events.push(event),
  });
  return { broker, clock, events };
}

function deletion(overrides: Partial<ConfirmationInput> = {}): ConfirmationInput {
  return {
    taskId: 'task-1',
    operation: 'delete',
    summary: 'This will delete 2 files. Proceed?',
    preview: ['/home/ana/tmp/a.log', '/home/ana/tmp/b.log'],
    risk: 'high',
    reason: 'delete is in security.confirm_operations',
    fingerprint: 'delete:/home/ana/tmp/a.log,/home/ana/tmp/b.log',
    ...overrides,
  };
}

/** Lets already-settled promises run their callbacks. */
async function settled<T>(promise: Promise<T>): Promise<{ done: boolean; value?: T }> {
  const marker = Symbol('pending');
  const value = await Promise.race([promise, Promise.resolve(marker)]);
  return value === marker ? { done: false } : { done: true, value: value as T };
}

describe('ConfirmationBroker', () => {
  it('shows the request to every attached door that can show it, with an id and a deadline', async () => {
    const { broker } = setup(30_000);
    const desktop = new RecordingDoor('desktop');
    const phone = new RecordingDoor('telegram');
    const terminal = new RecordingDoor('cli', (request) => request.risk !== 'high');
    broker.attach(desktop);
    broker.attach(phone);
    broker.attach(terminal);

    const outcome = broker.request(deletion());
    expect(desktop.shown).toHaveLength(1);
    expect(phone.shown).toHaveLength(1);
    expect(terminal.shown).toHaveLength(0);
    const shown = desktop.last().request;
    expect(shown).toMatchObject({ ...deletion(), expiresAt: 1_000_000 + 30_000 });
    expect(shown.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(broker.pending()).toEqual([shown]);

    desktop.last().answer('yes');
    await expect(outcome).resolves.toEqual({
      approved: true,
      answer: 'yes',
      by: 'user',
      via: 'desktop',
    });
    expect(broker.pending()).toEqual([]);
  });

  it('gives every request its own random id', () => {
    const { broker } = setup();
    const door = new RecordingDoor('desktop');
    broker.attach(door);
    void broker.request(deletion());
    void broker.request(deletion());
    const [first, second] = door.shown.map((shown) => shown.request.id);
    expect(first).not.toEqual(second);
  });

  it('takes the first answer, ignores later ones and closes the other doors', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    const phone = new RecordingDoor('telegram');
    broker.attach(desktop);
    broker.attach(phone);

    const outcome = broker.request(deletion());
    expect(phone.last().signal.aborted).toBe(false);
    phone.last().answer('no');
    desktop.last().answer('yes'); // too late: the user already said no on the phone

    await expect(outcome).resolves.toEqual({
      approved: false,
      answer: 'no',
      by: 'user',
      via: 'telegram',
    });
    expect(desktop.last().signal.aborted).toBe(true);
    expect(phone.last().signal.aborted).toBe(true);
  });

  it('denies when nobody answers by the deadline and closes the dialogs', async () => {
    const { broker, clock } = setup(60_000);
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);

    const outcome = broker.request(deletion());
    clock.advance(59_999);
    expect((await settled(outcome)).done).toBe(false);
    clock.advance(1);

    await expect(outcome).resolves.toEqual({ approved: false, answer: 'timeout', by: 'timeout' });
    expect(desktop.last().signal.aborted).toBe(true);
    desktop.last().answer('yes'); // the user clicks after the deadline: still denied
    await expect(outcome).resolves.toMatchObject({ approved: false, answer: 'timeout' });
    expect(broker.pending()).toEqual([]);
  });

  it('stops the deadline timer once answered', async () => {
    const { broker, clock } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);
    const outcome = broker.request(deletion());
    expect(clock.active()).toBe(1);
    desktop.last().answer('yes');
    await outcome;
    expect(clock.active()).toBe(0);
  });

  it('denies at once when no door is attached', async () => {
    const { broker, clock } = setup();
    await expect(broker.request(deletion())).resolves.toEqual({
      approved: false,
      answer: 'no_front_door',
      by: 'system',
    });
    expect(clock.active()).toBe(0);
    expect(broker.pending()).toEqual([]);
  });

  it('denies at once when no attached door can show the request', async () => {
    const { broker } = setup();
    const onlyLowRisk = new RecordingDoor('cli', (request) => request.risk === 'low');
    const broken = new RecordingDoor('broken', () => {
      throw new Error('canShow exploded');
    });
    broker.attach(onlyLowRisk);
    broker.attach(broken);
    await expect(broker.request(deletion())).resolves.toMatchObject({
      approved: false,
      answer: 'no_front_door',
    });
    expect(onlyLowRisk.shown).toHaveLength(0);
  });

  it('denies when the caller aborts, before or while asking', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);

    const alreadyAborted = new AbortController();
    alreadyAborted.abort();
    await expect(broker.request(deletion(), alreadyAborted.signal)).resolves.toMatchObject({
      approved: false,
      answer: 'cancelled',
    });
    expect(desktop.shown).toHaveLength(0);

    const stop = new AbortController();
    const outcome = broker.request(deletion(), stop.signal);
    stop.abort();
    await expect(outcome).resolves.toMatchObject({ approved: false, answer: 'cancelled' });
    expect(desktop.last().signal.aborted).toBe(true);
    desktop.last().answer('yes');
    await expect(outcome).resolves.toMatchObject({ approved: false });
  });

  it('"allow for this task" approves the same operation on the same targets without asking again', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);

    const first = broker.request(deletion());
    desktop.last().answer('allow_for_task');
    await expect(first).resolves.toEqual({
      approved: true,
      answer: 'allow_for_task',
      by: 'user',
      via: 'desktop',
    });

    await expect(broker.request(deletion())).resolves.toEqual({
      approved: true,
      answer: 'allow_for_task',
      by: 'rule',
      via: 'allow_for_task',
    });
    expect(desktop.shown).toHaveLength(1);
  });

  it('asks again when the targets change, the task differs or the task ended', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);
    const first = broker.request(deletion());
    desktop.last().answer('allow_for_task');
    await first;

    void broker.request(deletion({ fingerprint: 'delete:/home/ana/Documents/thesis.pdf' }));
    expect(desktop.shown).toHaveLength(2);
    void broker.request(deletion({ taskId: 'task-2' }));
    expect(desktop.shown).toHaveLength(3);

    broker.endTask('task-1');
    void broker.request(deletion());
    expect(desktop.shown).toHaveLength(4);
  });

  it('a grant given after its task ended approves that one request but no later ones', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);
    const open = broker.request(deletion());
    broker.endTask('task-1');
    desktop.last().answer('allow_for_task');
    await expect(open).resolves.toMatchObject({ approved: true, by: 'user' });

    void broker.request(deletion());
    expect(desktop.shown).toHaveLength(2);
  });

  it('a door that throws does not stop the others from asking', async () => {
    const { broker } = setup();
    const broken: FrontDoor = {
      name: 'broken',
      canShow: () => true,
      show: () => {
        throw new Error('window is gone');
      },
    };
    const phone = new RecordingDoor('telegram');
    broker.attach(broken);
    broker.attach(phone);

    const outcome = broker.request(deletion());
    phone.last().answer('yes');
    await expect(outcome).resolves.toMatchObject({ approved: true, via: 'telegram' });
  });

  it('denies at once when every door throws', async () => {
    const { broker, clock } = setup();
    const seen: AbortSignal[] = [];
    for (const name of ['desktop', 'telegram']) {
      broker.attach({
        name,
        canShow: () => true,
        show: (_request, _answer, signal) => {
          seen.push(signal);
          throw new Error(`${name} failed`);
        },
      });
    }
    await expect(broker.request(deletion())).resolves.toMatchObject({
      approved: false,
      answer: 'no_front_door',
    });
    expect(seen.every((signal) => signal.aborted)).toBe(true);
    expect(clock.active()).toBe(0);
  });

  it('treats an answer it does not know as a no', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);
    const outcome = broker.request(deletion());
    desktop.last().answer('YES please' as ConfirmationAnswer);
    await expect(outcome).resolves.toEqual({
      approved: false,
      answer: 'no',
      by: 'user',
      via: 'desktop',
    });
  });

  it('keeps several requests independent: the second can be answered before the first', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);

    const deleting = broker.request(deletion());
    const mailing = broker.request(
      deletion({
        operation: 'send_email',
        summary: 'Send an email to 1 recipient?',
        preview: ['boss@example.com'],
        fingerprint: 'send_email:boss@example.com',
      }),
    );
    const [deleteDialog, mailDialog] = desktop.shown;
    expect(broker.pending().map((request) => request.operation)).toEqual(['delete', 'send_email']);

    mailDialog!.answer('yes');
    await expect(mailing).resolves.toMatchObject({ approved: true });
    expect(deleteDialog!.signal.aborted).toBe(false);
    expect((await settled(deleting)).done).toBe(false);
    expect(broker.pending().map((request) => request.operation)).toEqual(['delete']);

    deleteDialog!.answer('no');
    await expect(deleting).resolves.toMatchObject({ approved: false, answer: 'no' });
  });

  it('shows waiting requests to a door attached later', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);
    const outcome = broker.request(deletion());

    const phone = new RecordingDoor('telegram');
    broker.attach(phone);
    expect(phone.last().request.id).toEqual(desktop.last().request.id);
    phone.last().answer('yes');
    await expect(outcome).resolves.toMatchObject({ approved: true, via: 'telegram' });
  });

  it('ignores a detached door and denies when the last door showing a request goes away', async () => {
    const { broker } = setup();
    const desktop = new RecordingDoor('desktop');
    const phone = new RecordingDoor('telegram');
    const detachDesktop = broker.attach(desktop);
    const detachPhone = broker.attach(phone);
    const outcome = broker.request(deletion());

    detachDesktop();
    expect(desktop.last().signal.aborted).toBe(true);
    desktop.last().answer('yes'); // a closed window no longer speaks for the user
    expect((await settled(outcome)).done).toBe(false);

    detachPhone();
    await expect(outcome).resolves.toMatchObject({ approved: false, answer: 'no_front_door' });
  });

  it('does not let a door change the request others see', async () => {
    const { broker } = setup();
    const sneaky: FrontDoor = {
      name: 'sneaky',
      canShow: () => true,
      show: (request) => {
        request.fingerprint = 'something else';
        request.preview.push('/etc/passwd');
      },
    };
    const desktop = new RecordingDoor('desktop');
    broker.attach(sneaky);
    broker.attach(desktop);
    void broker.request(deletion());
    expect(desktop.last().request.fingerprint).toBe(deletion().fingerprint);
    expect(desktop.last().request.preview).toEqual(deletion().preview);
  });

  it('reports who decided each request, for the audit log', async () => {
    const { broker, clock, events } = setup();
    const desktop = new RecordingDoor('desktop');
    broker.attach(desktop);

    const byUser = broker.request(deletion());
    desktop.last().answer('allow_for_task');
    await byUser;
    await broker.request(deletion()); // by the grant
    const timedOut = broker.request(deletion({ fingerprint: 'other' }));
    clock.advance(60_000);
    await timedOut;

    expect(events.map((event) => [event.type, event.outcome?.by, event.outcome?.via])).toEqual([
      ['requested', undefined, undefined],
      ['answered', 'user', 'desktop'],
      ['requested', undefined, undefined],
      ['answered', 'rule', 'allow_for_task'],
      ['requested', undefined, undefined],
      ['answered', 'timeout', undefined],
    ]);
    expect(events[0]!.request.id).toBe(events[1]!.request.id);
    expect(events[0]!.request.id).not.toBe(events[2]!.request.id);
  });

  it('still decides when the event listener throws', async () => {
    const door = new RecordingDoor('desktop');
    const broker = new ConfirmationBroker({
      timeoutMs: 1_000,
      setTimer: () => 0,
      clearTimer: () => undefined,
      onEvent: () => {
        throw new Error('audit log is full');
      },
    });
    broker.attach(door);
    const outcome = broker.request(deletion());
    door.last().answer('yes');
    await expect(outcome).resolves.toMatchObject({ approved: true });
  });

  it('uses real timers by default and denies at the deadline', async () => {
    vi.useFakeTimers();
    try {
      const broker = new ConfirmationBroker({ timeoutMs: 5_000 });
      broker.attach(new RecordingDoor('desktop'));
      const outcome = broker.request(deletion());
      expect(broker.pending()[0]!.expiresAt).toBe(Date.now() + 5_000);
      await vi.advanceTimersByTimeAsync(5_000);
      await expect(outcome).resolves.toMatchObject({ approved: false, answer: 'timeout' });
    } finally {
      vi.useRealTimers();
    }
  });
});
