// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmationModal } from '../../src-renderer/components/ConfirmationModal';
import { AppStoreContext, createAppStore } from '../../src-renderer/store';
import { confirmation, fakeBridge, REQUEST_ID } from './fakeBridge';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function renderModal(requests = [confirmation()], armDelayMs = 0) {
  const fake = fakeBridge({ answer: { accepted: true } });
  const store = createAppStore(fake.bridge);
  for (const request of requests) store.getState().confirmationRequested(request);
  render(
    <AppStoreContext value={store}>
      <button type="button">outside</button>
      <ConfirmationModal armDelayMs={armDelayMs} />
    </AppStoreContext>,
  );
  return { ...fake, store, dialog: screen.getByRole('dialog') };
}

describe('ConfirmationModal', () => {
  it('shows the summary as its name, the preview, the reason and the risk', () => {
    const { dialog } = renderModal();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByRole('dialog', { name: 'This will delete 47 files. Proceed?' })).toBe(
      dialog,
    );
    expect(dialog.textContent).toContain('~/Downloads/old/ (32 files)');
    expect(dialog.textContent).toContain('Why: delete always asks');
    expect(dialog.textContent).toContain('high risk');
  });

  it('focuses No by default', () => {
    renderModal();
    expect(document.activeElement?.textContent).toBe('No');
  });

  it('L expands the full list', () => {
    const { dialog } = renderModal();
    expect(dialog.textContent).not.toContain('b.zip');
    fireEvent.keyDown(dialog, { key: 'l' });
    expect(dialog.textContent).toContain('~/Downloads/old/b.zip');
    const list = dialog.querySelector('button[aria-keyshortcuts="L"]');
    expect(list?.getAttribute('aria-expanded')).toBe('true');
  });

  it.each([
    ['y', 'yes'],
    ['n', 'no'],
    ['a', 'allow_for_task'],
  ])('key %s answers %s', async (key, answer) => {
    const { dialog, calls } = renderModal();
    await act(async () => {
      fireEvent.keyDown(dialog, { key });
    });
    expect(calls.answer).toHaveBeenCalledWith({ id: REQUEST_ID, answer });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('ignores Y until the request has been on screen a moment, and held keys', async () => {
    vi.useFakeTimers();
    const { dialog, calls } = renderModal([confirmation()], 600);
    fireEvent.keyDown(dialog, { key: 'y' });
    expect(calls.answer).not.toHaveBeenCalled();
    act(() => void vi.advanceTimersByTime(600));
    fireEvent.keyDown(dialog, { key: 'y', repeat: true });
    expect(calls.answer).not.toHaveBeenCalled();
    await act(async () => {
      fireEvent.keyDown(dialog, { key: 'y' });
    });
    expect(calls.answer).toHaveBeenCalledWith({ id: REQUEST_ID, answer: 'yes' });
  });

  it('keeps Tab inside the dialog', () => {
    const { dialog } = renderModal();
    const buttons = [...dialog.querySelectorAll('button')];
    buttons.at(-1)!.focus();
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(buttons[0]);
    fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(buttons.at(-1));
  });

  it('counts down to "timed out"', () => {
    vi.useFakeTimers();
    const { dialog, calls } = renderModal([confirmation({ expiresAt: Date.now() + 3000 })]);
    expect(screen.getByRole('timer').textContent).toBe('0:03 left');
    act(() => void vi.advanceTimersByTime(3000));
    expect(screen.getByRole('timer').textContent).toBe('timed out');
    expect(dialog.textContent).toContain('the action was denied');
    fireEvent.keyDown(dialog, { key: 'y' });
    expect(calls.answer).not.toHaveBeenCalled();
  });

  it('queues several requests, showing "1 of 2"', async () => {
    const second = confirmation({
      id: '1c9e2a7c-4f4e-4b7d-9c1e-2d3f4a5b6c7d',
      summary: 'Send 1 email?',
    });
    const { dialog } = renderModal([confirmation(), second]);
    expect(dialog.textContent).toContain('1 of 2');
    await act(async () => {
      fireEvent.keyDown(dialog, { key: 'n' });
    });
    expect(screen.getByRole('dialog', { name: 'Send 1 email?' }).textContent).not.toContain('1 of');
  });
});
