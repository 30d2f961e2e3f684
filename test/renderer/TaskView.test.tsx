// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskView } from '../../src-renderer/components/TaskView';
import { AppStoreContext, connectStore, createAppStore } from '../../src-renderer/store';
import { fakeBridge, STATUS, TASK_ID } from './fakeBridge';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function started() {
  const fake = fakeBridge({
    getStatus: STATUS,
    start: { taskId: TASK_ID },
    stop: { stopped: true },
    pending: { requests: [] },
    running: { tasks: [] },
    page: { events: [] },
  });
  const store = createAppStore(fake.bridge);
  connectStore(store, fake.bridge);
  await act(async () => {
    await store.getState().startTask('tidy my downloads');
  });
  render(
    <AppStoreContext value={store}>
      <TaskView />
    </AppStoreContext>,
  );
  const emit: typeof fake.emit = (event, payload) => act(() => fake.emit(event, payload));
  return { ...fake, emit, store };
}

describe('TaskView', () => {
  it('shows the prompt, the streamed answer and each tool call with its outcome', async () => {
    const { emit } = await started();
    expect(screen.getByText('tidy my downloads')).toBeTruthy();
    expect(screen.getByText('Thinking…')).toBeTruthy();
    emit('task.text', { taskId: TASK_ID, text: 'Looking at ' });
    emit('task.text', { taskId: TASK_ID, text: 'your downloads.' });
    emit('task.tool', {
      taskId: TASK_ID,
      id: 't1',
      phase: 'start',
      tool: 'fs.list',
      summary: '~/Downloads',
    });
    emit('task.tool', { taskId: TASK_ID, id: 't2', phase: 'start', tool: 'fs.delete' });
    emit('task.tool', { taskId: TASK_ID, id: 't1', phase: 'end', tool: 'fs.list', status: 'ok' });
    emit('task.tool', {
      taskId: TASK_ID,
      id: 't2',
      phase: 'end',
      tool: 'fs.delete',
      status: 'denied',
    });

    expect(screen.getByLabelText('Answer').textContent).toBe('Looking at your downloads.');
    const lines = within(screen.getByRole('list', { name: 'Tool calls' })).getAllByRole('listitem');
    expect(lines.map((line) => line.textContent)).toEqual(['✓fs.list~/Downloads', '⊘fs.delete']);
    expect(within(lines[1]!).getByRole('img', { name: 'denied' })).toBeTruthy();
  });

  it('Stop asks main to stop the task, once', async () => {
    const { calls } = await started();
    const stop = screen.getByRole('button', { name: 'Stop' });
    await act(async () => fireEvent.click(stop));
    expect(calls.stop).toHaveBeenCalledWith({ taskId: TASK_ID });
    expect((screen.getByRole('button', { name: 'Stopping…' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('a long tool call shows how long it has been running', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { emit } = await started();
    emit('task.tool', {
      taskId: TASK_ID,
      id: 't1',
      phase: 'start',
      tool: 'shell.exec',
      summary: 'npm ci',
    });
    expect(screen.queryByLabelText(/running for/)).toBeNull();
    act(() => vi.advanceTimersByTime(3000));
    expect(screen.getByLabelText('running for 3 seconds').textContent).toBe('· 3 s');
    emit('task.tool', {
      taskId: TASK_ID,
      id: 't1',
      phase: 'end',
      tool: 'shell.exec',
      status: 'ok',
    });
    expect(screen.queryByLabelText(/running for/)).toBeNull();
  });

  it('shows how the task ended and why', async () => {
    const { emit } = await started();
    emit('task.ended', {
      taskId: TASK_ID,
      status: 'stopped',
      text: '',
      iterations: 3,
      costUsd: 0.01,
      refused: [],
      stopReason: { limit: 'max_iterations', message: 'agent.max_iterations (3) reached' },
    } as never);
    expect(screen.getByRole('status').textContent).toContain(
      'Stopped — agent.max_iterations (3) reached',
    );
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });
});
