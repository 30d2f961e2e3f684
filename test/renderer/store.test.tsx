// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { connectStore, createAppStore } from '../../src-renderer/store';
import { MAX_LIVE_HEAD_ROWS } from '../../src-renderer/store/timelineHeadSlice';
import { confirmation, fakeBridge, REQUEST_ID, STATUS, TASK_ID } from './fakeBridge';

async function setUp() {
  const fake = fakeBridge({
    getStatus: STATUS,
    start: { taskId: TASK_ID },
    stop: { stopped: true },
    answer: { accepted: true },
    pending: { requests: [] },
    running: { tasks: [] },
    page: { events: [] },
  });
  const store = createAppStore(fake.bridge);
  const disconnect = connectStore(store, fake.bridge);
  await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { ...fake, store, disconnect };
}

describe('store', () => {
  it('reads the status at start-up', async () => {
    const { store } = await setUp();
    expect(store.getState().status).toEqual({ kind: 'ready', status: STATUS });
  });

  it('reports a status that cannot be read', async () => {
    const { bridge, calls } = fakeBridge();
    calls.getStatus!.mockRejectedValue(new Error('server gone'));
    const store = createAppStore(bridge);
    await store.getState().refreshStatus();
    expect(store.getState().status).toEqual({ kind: 'failed', message: 'server gone' });
  });

  it('runs a task, streams its text and tool lines, and ends it', async () => {
    const { store, calls, emit } = await setUp();
    expect(await store.getState().startTask('tidy my downloads')).toBe(true);
    expect(calls.start).toHaveBeenCalledWith({ prompt: 'tidy my downloads' });
    expect(store.getState().currentTaskId).toBe(TASK_ID);
    expect(store.getState().promptHistory).toEqual(['tidy my downloads']);

    emit('task.text', { taskId: TASK_ID, text: 'Looking ' });
    emit('task.text', { taskId: TASK_ID, text: 'at it.' });
    emit('task.tool', {
      taskId: TASK_ID,
      id: 't1',
      phase: 'start',
      tool: 'list',
      summary: '~/Downloads',
    });
    let task = store.getState().tasks[TASK_ID]!;
    expect(task.text).toBe('Looking at it.');
    expect(task.tools).toEqual([
      {
        id: 't1',
        tool: 'list',
        summary: '~/Downloads',
        status: 'running',
        startedAt: expect.any(Number),
      },
    ]);

    emit('task.tool', { taskId: TASK_ID, id: 't1', phase: 'end', tool: 'list', status: 'ok' });
    emit('task.ended', {
      taskId: TASK_ID,
      status: 'done',
      text: 'Looking at it.',
      refused: [],
      costUsd: 0.01,
      iterations: 2,
    });
    task = store.getState().tasks[TASK_ID]!;
    expect(task.tools[0]?.status).toBe('ok');
    expect(task.outcome?.status).toBe('done');
  });

  it('keeps the error when the core refuses a prompt', async () => {
    const { store, calls } = await setUp();
    calls.start!.mockRejectedValue(new Error('task.start: prompt: say what to do'));
    expect(await store.getState().startTask('x')).toBe(false);
    expect(store.getState().taskError).toBe('task.start: prompt: say what to do');
  });

  it('Stop calls task.stop for the task', async () => {
    const { store, calls } = await setUp();
    await store.getState().startTask('long job');
    await store.getState().stopTask(TASK_ID);
    expect(calls.stop).toHaveBeenCalledWith({ taskId: TASK_ID });
    expect(store.getState().tasks[TASK_ID]?.stopRequested).toBe(true);
  });

  it('queues confirmations, answers them, and drops them once settled', async () => {
    const { store, calls, emit } = await setUp();
    const second = confirmation({ id: '1c9e2a7c-4f4e-4b7d-9c1e-2d3f4a5b6c7d' });
    emit('confirmation.requested', { request: confirmation() });
    emit('confirmation.requested', { request: second });
    emit('confirmation.requested', { request: confirmation() });
    expect(store.getState().confirmations.map((r) => r.id)).toEqual([REQUEST_ID, second.id]);

    await store.getState().answerConfirmation(REQUEST_ID, 'no');
    expect(calls.answer).toHaveBeenCalledWith({ id: REQUEST_ID, answer: 'no' });
    expect(store.getState().confirmations.map((r) => r.id)).toEqual([second.id]);

    emit('confirmation.settled', { id: second.id, answer: 'closed', approved: null });
    expect(store.getState().confirmations).toEqual([]);
  });

  it('keeps a request whose answer could not be sent, with the error', async () => {
    const { store, calls, emit } = await setUp();
    calls.answer!.mockRejectedValue(new Error('cannot reach the OmniPalm server'));
    emit('confirmation.requested', { request: confirmation() });
    await store.getState().answerConfirmation(REQUEST_ID, 'yes');
    expect(store.getState().confirmations).toHaveLength(1);
    expect(store.getState().confirmationError).toBe('cannot reach the OmniPalm server');
  });

  it('shows monitor alerts, newest first, and dismisses them', async () => {
    const { store, emit } = await setUp();
    emit('monitor.alert', { rule: 'blocked_path', message: 'tried ~/.ssh' });
    emit('monitor.alert', { rule: 'api_burst', message: '60 calls in a minute' });
    const alerts = store.getState().alerts;
    expect(alerts.map((a) => a.rule)).toEqual(['api_burst', 'blocked_path']);
    store.getState().dismissAlert(alerts[0]!.id);
    expect(store.getState().alerts.map((a) => a.rule)).toEqual(['blocked_path']);
  });

  it('stops listening when disconnected', async () => {
    const { store, emit, disconnect } = await setUp();
    disconnect();
    emit('monitor.alert', { rule: 'blocked_path', message: 'tried ~/.ssh' });
    expect(store.getState().alerts).toEqual([]);
  });

  describe('timeline head', () => {
    const stored = (id: number, summary = `event ${id}`) => ({
      id,
      time: 1_700_000_000_000 + id,
      kind: 'tool_call' as const,
      level: 'INFO' as const,
      summary,
    });
    const live = (summary: string, time = Date.now()) => ({
      kind: 'tool_call' as const,
      level: 'INFO' as const,
      summary,
      time,
    });

    it('loads the newest page at start-up and puts live events on top', async () => {
      const fake = fakeBridge({ page: { events: [stored(2), stored(1)], nextCursor: 1 } });
      const store = createAppStore(fake.bridge);
      connectStore(store, fake.bridge);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(fake.calls.page).toHaveBeenCalledWith({ limit: 200 });
      fake.emit('timeline.event', live('just now'));
      const head = store.getState().timelineHead;
      expect(head.state).toBe('loaded');
      if (head.state !== 'loaded') return;
      expect(head.rows.map((row) => row.entry.summary)).toEqual(['just now', 'event 2', 'event 1']);
      expect(head.nextCursor).toBe(1);
    });

    it('keeps an event that arrives while the page loads, once, whether or not the page has it', async () => {
      const { bridge, calls, emit } = fakeBridge();
      let answer: (value: unknown) => void = () => {};
      calls.page!.mockReturnValue(new Promise((resolve) => (answer = resolve)));
      const store = createAppStore(bridge);
      connectStore(store, bridge);
      const inPage = live('stored before the query ran', 1_700_000_000_005);
      emit('timeline.event', inPage);
      emit('timeline.event', live('after the query ran'));
      answer({ events: [{ ...inPage, id: 5 }, stored(4)] });
      await new Promise((resolve) => setTimeout(resolve, 0));
      const head = store.getState().timelineHead;
      if (head.state !== 'loaded') throw new Error(`head is ${head.state}`);
      expect(head.rows.map((row) => row.entry.summary)).toEqual([
        'after the query ran',
        'stored before the query ran',
        'event 4',
      ]);
    });

    it('re-reads the head from main once too many live events piled up', async () => {
      const fake = fakeBridge({ page: { events: [stored(1)] } });
      const store = createAppStore(fake.bridge);
      await store.getState().refreshTimelineHead();
      for (let index = 0; index < MAX_LIVE_HEAD_ROWS; index++) {
        store.getState().timelineEventArrived(live(`live ${index}`));
      }
      expect(fake.calls.page).toHaveBeenCalledTimes(1);
      store.getState().timelineEventArrived(live('one too many'));
      expect(fake.calls.page).toHaveBeenCalledTimes(2);
    });

    it('reports a page that cannot be read', async () => {
      const { bridge, calls } = fakeBridge();
      calls.page!.mockRejectedValue(new Error('store locked'));
      const store = createAppStore(bridge);
      await store.getState().refreshTimelineHead();
      expect(store.getState().timelineHead).toEqual({ state: 'failed', message: 'store locked' });
    });
  });
});
