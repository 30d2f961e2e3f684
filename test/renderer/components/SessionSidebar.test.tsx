// @vitest-environment jsdom
// Conversations in the window: the sessions sidebar (search, rename, delete, New session,
// Ctrl/Cmd+N), the transcript of the open session, and the prompt bar going on with it.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../src-renderer/App';
import { OPEN_SESSION_STORAGE_KEY } from '../../../src-renderer/components/sessionModel';
import { connectStore, createAppStore } from '../../../src-renderer/store';
import {
  fakeBridge,
  OTHER_SESSION_ID,
  SESSION_ID,
  sessionSummary,
  STATUS,
  TASK_ID,
} from '../fakeBridge';

const INBOX = sessionSummary({
  id: OTHER_SESSION_ID,
  title: 'Summarise my inbox',
  updatedAt: Date.now() - 10_000,
  costUsd: 0.5,
  untrustedSources: ['fs.read /home/u/mail/inbox.txt', 'http.get https://example.com/news/'],
});
const LOGS = sessionSummary();

function turnsOf(summary = LOGS, extra: Record<string, unknown> = {}) {
  return {
    session: { ...summary, turnCount: 1, running: false },
    turns: [
      {
        seq: 1,
        prompt: 'Delete the old logs',
        status: 'done',
        startedAt: Date.now() - 60_000,
        endedAt: Date.now() - 50_000,
        costUsd: 0.0123,
        taskId: TASK_ID,
        steps: [
          {
            kind: 'tool',
            name: 'fs.delete',
            summary: '3 files in ~/logs',
            status: 'ok',
            time: Date.now() - 55_000,
            durationMs: 1500,
          },
          {
            kind: 'confirmation',
            name: 'fs.delete',
            summary: 'This will delete 3 files.',
            status: 'yes',
          },
        ],
        answer: 'Deleted **3** files.',
      },
    ],
    ...extra,
  };
}

beforeEach(() => window.localStorage.clear());

afterEach(() => {
  cleanup();
  window.location.hash = '';
  window.localStorage.clear();
});

async function renderApp(
  responses: Record<string, unknown> = {},
  prepare: (fake: ReturnType<typeof fakeBridge>) => void = () => undefined,
) {
  const fake = fakeBridge({
    getStatus: STATUS,
    pending: { requests: [] },
    running: { tasks: [] },
    page: { events: [] },
    recent: { sessions: [INBOX, LOGS] },
    turns: turnsOf(),
    start: { taskId: TASK_ID, sessionId: SESSION_ID },
    continue: { taskId: TASK_ID, sessionId: SESSION_ID },
    ...responses,
  });
  prepare(fake);
  const store = createAppStore(fake.bridge);
  await act(async () => {
    connectStore(store, fake.bridge);
    render(<App session={{ kind: 'ready', bridge: fake.bridge, store }} />);
  });
  const emit: typeof fake.emit = (event, payload) => act(() => fake.emit(event, payload));
  return { ...fake, emit, store };
}

const sidebar = () => screen.getByRole('complementary', { name: 'Sessions' });
const items = () =>
  within(sidebar())
    .getAllByRole('listitem')
    .map((item) => item.getAttribute('aria-label'));

async function typePrompt(text: string) {
  const input = screen.getByLabelText('What should OmniPalm do?');
  fireEvent.change(input, { target: { value: text } });
  await act(async () => fireEvent.keyDown(input, { key: 'Enter' }));
}

describe('the sessions sidebar', () => {
  it('lists sessions newest first with time, cost and an untrusted-content badge', async () => {
    await renderApp();
    expect(items()).toEqual(['Summarise my inbox', 'Delete the old logs']);
    const inbox = within(sidebar()).getByRole('listitem', { name: 'Summarise my inbox' });
    expect(inbox.textContent).toContain('just now');
    expect(inbox.textContent).toContain('$0.5000');
    const badge = within(inbox).getByText(/^read untrusted content:/);
    expect(badge.textContent).toBe('read untrusted content: inbox.txt, example.com');
    expect(badge.getAttribute('title')).toContain('fs.read /home/u/mail/inbox.txt');
    const logs = within(sidebar()).getByRole('listitem', { name: 'Delete the old logs' });
    expect(logs.textContent).toContain('2 min ago');
    expect(within(logs).queryByText(/untrusted/)).toBeNull();
    expect(
      within(logs).getByRole('link', { name: /Show Delete the old logs in the timeline/ }),
    ).toHaveProperty('hash', `#timeline?session=${SESSION_ID}`);
  });

  it('searches by text once typing settles', async () => {
    const { calls } = await renderApp();
    calls.recent!.mockResolvedValueOnce({ sessions: [LOGS] });
    fireEvent.change(screen.getByLabelText('Search sessions'), { target: { value: 'lo' } });
    fireEvent.change(screen.getByLabelText('Search sessions'), { target: { value: 'logs' } });
    await waitFor(() => expect(items()).toEqual(['Delete the old logs']));
    expect(calls.recent).toHaveBeenLastCalledWith({ limit: 50, text: 'logs' });
    // Typing in between did not go to main each keystroke.
    expect(calls.recent!.mock.calls.map(([request]) => request.text)).not.toContain('lo');
  });

  it('renames inline: Enter saves, Escape cancels, an error is shown', async () => {
    const { calls } = await renderApp();
    const logs = () => within(sidebar()).getByRole('listitem', { name: /logs|Logs/ });
    fireEvent.click(within(logs()).getByRole('button', { name: 'Rename Delete the old logs' }));
    let field = within(logs()).getByLabelText('New title for Delete the old logs');
    fireEvent.change(field, { target: { value: 'Never saved' } });
    fireEvent.keyDown(field, { key: 'Escape' });
    expect(calls.rename).not.toHaveBeenCalled();
    expect(items()).toContain('Delete the old logs');

    calls.rename!.mockRejectedValueOnce(new Error('session.rename: title: too long'));
    fireEvent.click(within(logs()).getByRole('button', { name: 'Rename Delete the old logs' }));
    field = within(logs()).getByLabelText('New title for Delete the old logs');
    fireEvent.change(field, { target: { value: 'Bad' } });
    await act(async () => fireEvent.keyDown(field, { key: 'Enter' }));
    expect(within(logs()).getByRole('alert').textContent).toBe(
      'Could not rename: session.rename: title: too long',
    );

    calls.rename!.mockResolvedValueOnce({ ...LOGS, title: 'Log cleanup', updatedAt: Date.now() });
    fireEvent.change(field, { target: { value: '  Log cleanup ' } });
    await act(async () => fireEvent.keyDown(field, { key: 'Enter' }));
    expect(calls.rename).toHaveBeenLastCalledWith({ sessionId: SESSION_ID, title: 'Log cleanup' });
    expect(items()).toEqual(['Log cleanup', 'Summarise my inbox']);
  });

  it('deletes only after a confirmation that says the audit log keeps its lines', async () => {
    const { calls } = await renderApp({
      delete: { deleted: true, note: 'The audit log (append-only) keeps its lines.' },
    });
    const logs = within(sidebar()).getByRole('listitem', { name: 'Delete the old logs' });
    fireEvent.click(within(logs).getByRole('button', { name: 'Delete Delete the old logs' }));
    const dialog = within(logs).getByRole('alertdialog', { name: 'Delete Delete the old logs?' });
    expect(dialog.textContent).toMatch(/audit log keeps its lines/);
    // Cancel has the focus: a stray Enter deletes nothing.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.delete).not.toHaveBeenCalled();

    fireEvent.click(within(logs).getByRole('button', { name: 'Delete Delete the old logs' }));
    await act(async () =>
      fireEvent.click(within(logs).getByRole('button', { name: 'Delete session' })),
    );
    expect(calls.delete).toHaveBeenCalledWith({ sessionId: SESSION_ID });
    expect(items()).toEqual(['Summarise my inbox']);
    expect(within(sidebar()).getByRole('status').textContent).toContain('keeps its lines');
  });

  it('follows session.updated and session.deleted', async () => {
    const { emit } = await renderApp();
    emit(
      'session.updated',
      sessionSummary({ id: 'a'.repeat(32), title: 'Fresh', updatedAt: Date.now() }),
    );
    expect(items()).toEqual(['Fresh', 'Summarise my inbox', 'Delete the old logs']);
    emit('session.deleted', { sessionId: OTHER_SESSION_ID });
    expect(items()).toEqual(['Fresh', 'Delete the old logs']);
  });
});

describe('the transcript and the prompt bar', () => {
  it('opens a session: steps with status and time, the confirmation answer, a markdown answer', async () => {
    const { calls } = await renderApp();
    await act(async () =>
      fireEvent.click(within(sidebar()).getByRole('button', { name: /^Delete the old logs/ })),
    );
    expect(calls.turns).toHaveBeenCalledWith({ sessionId: SESSION_ID, limit: 20 });
    const turn = screen.getByRole('article', { name: 'Turn 1' });
    expect(within(turn).getByText('3 files in ~/logs')).toBeTruthy();
    expect(within(turn).getByRole('img', { name: 'done' })).toBeTruthy();
    expect(turn.textContent).toContain('1.5 s');
    expect(within(turn).getByRole('img', { name: 'asked you' })).toBeTruthy();
    expect(turn.textContent).toContain('answer: yes');
    expect(within(turn).getByText('3').tagName).toBe('STRONG');
    expect(window.localStorage.getItem(OPEN_SESSION_STORAGE_KEY)).toBe(SESSION_ID);
  });

  it('the next prompt continues the open session; the running turn streams in', async () => {
    const { calls, emit } = await renderApp();
    await act(async () =>
      fireEvent.click(within(sidebar()).getByRole('button', { name: /^Delete the old logs/ })),
    );
    const second = '7f1c1d5e-8a8b-4c39-9a0e-3a1b2c3d4e5f';
    calls.continue!.mockResolvedValueOnce({ taskId: second, sessionId: SESSION_ID });
    await typePrompt('Now the same in ~/Documents');
    expect(calls.continue).toHaveBeenCalledWith({
      sessionId: SESSION_ID,
      prompt: 'Now the same in ~/Documents',
    });
    expect(calls.start).not.toHaveBeenCalled();
    emit('task.started', {
      taskId: second,
      prompt: 'Now the same in ~/Documents',
      sessionId: SESSION_ID,
    });
    emit('task.text', { taskId: second, text: '| a | b |\n| - | - |\n| 1 | 2 |' });
    const turns = screen.getByRole('list', { name: 'Turns' });
    expect(turns.children).toHaveLength(2);
    expect(within(turns).getByRole('table')).toBeTruthy();

    // When it ends, the stored turn is read again from main.
    const before = calls.turns!.mock.calls.length;
    emit('task.ended', {
      taskId: second,
      status: 'done',
      text: '',
      refused: [],
      costUsd: 0.01,
      iterations: 1,
      sessionId: SESSION_ID,
      sessionCostUsd: 0.0223,
    });
    await waitFor(() => expect(calls.turns!.mock.calls.length).toBe(before + 1));
  });

  it('"New session" and Ctrl/Cmd+N start over: the next prompt starts a new session', async () => {
    const { calls } = await renderApp();
    await act(async () =>
      fireEvent.click(within(sidebar()).getByRole('button', { name: /^Delete the old logs/ })),
    );
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'New session' })));
    expect(screen.queryByRole('article')).toBeNull();
    expect(window.localStorage.getItem(OPEN_SESSION_STORAGE_KEY)).toBeNull();
    await typePrompt('Something else');
    expect(calls.start).toHaveBeenCalledWith({ prompt: 'Something else' });
    expect(calls.continue).not.toHaveBeenCalled();
    // task.start's session is the open one now.
    await waitFor(() =>
      expect(window.localStorage.getItem(OPEN_SESSION_STORAGE_KEY)).toBe(SESSION_ID),
    );

    // Ctrl+N from another section comes back to Task with no session open.
    fireEvent.click(screen.getByRole('tab', { name: 'Timeline' }));
    await act(async () => fireEvent.keyDown(window, { key: 'n', ctrlKey: true }));
    expect(screen.getByRole('tab', { name: 'Task' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByRole('article')).toBeNull();
    await typePrompt('A third thing');
    expect(calls.start).toHaveBeenLastCalledWith({ prompt: 'A third thing' });
    await act(async () => fireEvent.keyDown(window, { key: 'n', metaKey: true }));
    expect(window.localStorage.getItem(OPEN_SESSION_STORAGE_KEY)).toBeNull();
  });

  it('after a reload the last open session shows again and goes on', async () => {
    window.localStorage.setItem(OPEN_SESSION_STORAGE_KEY, SESSION_ID);
    const { calls } = await renderApp();
    expect(calls.turns).toHaveBeenCalledWith({ sessionId: SESSION_ID, limit: 20 });
    expect(screen.getByRole('article', { name: 'Turn 1' })).toBeTruthy();
    await typePrompt('And again');
    expect(calls.continue).toHaveBeenCalledWith({ sessionId: SESSION_ID, prompt: 'And again' });
  });

  it('a remembered session that is gone: says so, and the next prompt starts a new one', async () => {
    window.localStorage.setItem(OPEN_SESSION_STORAGE_KEY, SESSION_ID);
    const { calls } = await renderApp({}, (fake) =>
      fake.calls.turns!.mockRejectedValue(new Error('session.turns: no such session')),
    );
    expect(calls.turns).toHaveBeenCalledWith({ sessionId: SESSION_ID, limit: 20 });
    expect(screen.getByRole('alert').textContent).toMatch(
      /Could not open the session: session.turns: no such session/,
    );
    expect(window.localStorage.getItem(OPEN_SESSION_STORAGE_KEY)).toBeNull();
    await typePrompt('Fresh start');
    expect(calls.start).toHaveBeenCalledWith({ prompt: 'Fresh start' });
    expect(calls.continue).not.toHaveBeenCalled();
  });

  it('pages in older turns and shows the session cost and untrusted badge', async () => {
    const { calls } = await renderApp({ turns: turnsOf(INBOX, { nextBeforeSeq: 1 }) });
    await act(async () =>
      fireEvent.click(within(sidebar()).getByRole('button', { name: /^Summarise my inbox/ })),
    );
    const conversation = screen.getByRole('region', { name: 'Conversation' });
    expect(within(conversation).getByText('$0.5000')).toBeTruthy();
    expect(
      within(conversation).getByText('read untrusted content: inbox.txt, example.com'),
    ).toBeTruthy();
    calls.turns!.mockResolvedValueOnce({
      ...turnsOf(INBOX),
      turns: [{ ...turnsOf(INBOX).turns[0], seq: 0, prompt: 'The very first prompt' }],
    });
    await act(async () =>
      fireEvent.click(within(conversation).getByRole('button', { name: 'Show earlier turns' })),
    );
    expect(calls.turns).toHaveBeenLastCalledWith({
      sessionId: OTHER_SESSION_ID,
      beforeSeq: 1,
      limit: 20,
    });
    expect(
      within(conversation)
        .getAllByRole('article')
        .map((a) => a.getAttribute('aria-label')),
    ).toEqual(['Turn 0', 'Turn 1']);
    expect(within(conversation).queryByRole('button', { name: 'Show earlier turns' })).toBeNull();
  });
});
