// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src-renderer/App';
import { NO_TOKEN_REASON } from '../../src-renderer/bridge';
import { connectStore, createAppStore } from '../../src-renderer/store';
import { confirmation, fakeBridge, OTHER_SESSION_ID, SESSION_ID, STATUS } from './fakeBridge';

afterEach(() => {
  cleanup();
  window.location.hash = '';
  vi.restoreAllMocks();
});

async function renderApp(responses: Record<string, unknown> = {}) {
  const fake = fakeBridge({
    getStatus: STATUS,
    pending: { requests: [] },
    running: { tasks: [] },
    page: { events: [] },
    ...responses,
  });
  const store = createAppStore(fake.bridge);
  await act(async () => {
    connectStore(store, fake.bridge);
    render(<App session={{ kind: 'ready', bridge: fake.bridge, store }} />);
  });
  return fake;
}

describe('App', () => {
  it('without a bridge, shows one screen saying how to open OmniPalm', () => {
    render(<App session={{ kind: 'unavailable', reason: NO_TOKEN_REASON }} />);
    expect(screen.getByRole('heading', { name: 'OmniPalm is not connected' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('omnipalm start --headless');
    expect(screen.queryByRole('tablist')).toBeNull();
  });

  it('with a bridge, shows the sections, the status and a waiting confirmation', async () => {
    const fake = fakeBridge({
      getStatus: STATUS,
      pending: { requests: [confirmation()] },
      running: { tasks: [] },
    });
    const store = createAppStore(fake.bridge);
    await act(async () => {
      connectStore(store, fake.bridge);
      render(<App session={{ kind: 'ready', bridge: fake.bridge, store }} />);
    });
    const tabs = screen.getAllByRole('tab').map((tab) => tab.textContent?.replace(/\d+$/, ''));
    expect(tabs).toEqual(['Task', 'Timeline', 'Terminal', 'Permissions', 'Keys', 'Usage']);
    expect(screen.getByText('v0.1.0 · headless')).toBeTruthy();
    expect(
      screen.getByRole('dialog', { name: 'This will delete 47 files. Proceed?' }),
    ).toBeTruthy();
  });

  it('#prompt is the quick prompt: Enter starts the task and closes the window, Escape closes it', async () => {
    window.location.hash = '#prompt';
    const close = vi.spyOn(window, 'close').mockImplementation(() => undefined);
    const fake = await renderApp({ start: { taskId: 'task-1' } });
    expect(screen.queryByRole('tablist')).toBeNull();
    const input = screen.getByLabelText('What should OmniPalm do?');
    expect(document.activeElement).toBe(input);

    fireEvent.change(input, { target: { value: 'tidy my downloads' } });
    await act(async () => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    expect(fake.calls.start).toHaveBeenCalledWith({ prompt: 'tidy my downloads' });
    expect(close).toHaveBeenCalledTimes(1);

    fireEvent.keyDown(input, { key: 'Escape' });
    expect(close).toHaveBeenCalledTimes(2);
  });

  it('a refused prompt keeps the quick prompt open with the reason', async () => {
    window.location.hash = '#prompt';
    const close = vi.spyOn(window, 'close').mockImplementation(() => undefined);
    const fake = await renderApp();
    fake.calls.start!.mockRejectedValue(new Error('task.start: the agent is paused; resume it'));
    const input = screen.getByLabelText('What should OmniPalm do?');
    fireEvent.change(input, { target: { value: 'anything' } });
    await act(async () => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    expect((await screen.findByRole('alert')).textContent).toMatch(/paused/);
    expect(close).not.toHaveBeenCalled();
  });

  it('opens the section the address names (#permissions) and follows later changes', async () => {
    window.location.hash = '#permissions';
    await renderApp({ get: { config: {}, path: '/x', restartNeeded: false } });
    expect(screen.getByRole('tab', { name: 'Permissions' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await act(async () => {
      window.location.hash = '#timeline';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(screen.getByRole('tab', { name: 'Timeline' }).getAttribute('aria-selected')).toBe(
      'true',
    );
  });

  it('#prompt?session=<id> (ui.quick_prompt_session: last) continues that session', async () => {
    window.localStorage.setItem('omnipalm.openSession', OTHER_SESSION_ID);
    window.location.hash = `#prompt?session=${SESSION_ID}`;
    vi.spyOn(window, 'close').mockImplementation(() => undefined);
    const fake = await renderApp({ continue: { taskId: 'task-2', sessionId: SESSION_ID } });
    const input = screen.getByLabelText('What should OmniPalm do?');
    fireEvent.change(input, { target: { value: 'and now the same in ~/Documents' } });
    await act(async () => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    expect(fake.calls.continue).toHaveBeenCalledWith({
      sessionId: SESSION_ID,
      prompt: 'and now the same in ~/Documents',
    });
    expect(fake.calls.start).not.toHaveBeenCalled();
    // The quick prompt never takes the main window's remembered session.
    expect(window.localStorage.getItem('omnipalm.openSession')).toBe(OTHER_SESSION_ID);
    window.localStorage.clear();
  });

  it('plain #prompt starts a new session even when the main window has one open', async () => {
    window.localStorage.setItem('omnipalm.openSession', SESSION_ID);
    window.location.hash = '#prompt';
    vi.spyOn(window, 'close').mockImplementation(() => undefined);
    const fake = await renderApp({ start: { taskId: 'task-3', sessionId: OTHER_SESSION_ID } });
    const input = screen.getByLabelText('What should OmniPalm do?');
    fireEvent.change(input, { target: { value: 'something new' } });
    await act(async () => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    expect(fake.calls.start).toHaveBeenCalledWith({ prompt: 'something new' });
    expect(fake.calls.continue).not.toHaveBeenCalled();
    window.localStorage.clear();
  });

  it("#timeline?session=<id> opens the Timeline: what follows ? is the section's own", async () => {
    window.location.hash = `#timeline?session=${SESSION_ID}`;
    await renderApp();
    expect(screen.getByRole('tab', { name: 'Timeline' }).getAttribute('aria-selected')).toBe(
      'true',
    );
  });
});
