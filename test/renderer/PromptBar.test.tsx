// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PromptBar } from '../../src-renderer/components/PromptBar';
import { AppStoreContext, createAppStore } from '../../src-renderer/store';
import { fakeBridge, STATUS, TASK_ID } from './fakeBridge';

afterEach(cleanup);

async function renderBar(ready = true) {
  const fake = fakeBridge({ getStatus: STATUS, start: { taskId: TASK_ID } });
  const store = createAppStore(fake.bridge);
  if (ready) await store.getState().refreshStatus();
  render(
    <AppStoreContext value={store}>
      <PromptBar />
    </AppStoreContext>,
  );
  return {
    ...fake,
    store,
    input: screen.getByLabelText('What should OmniPalm do?') as HTMLTextAreaElement,
  };
}

describe('PromptBar', () => {
  it('Enter runs the prompt and clears the field', async () => {
    const { calls, input } = await renderBar();
    fireEvent.change(input, { target: { value: 'summarize my inbox' } });
    await act(async () => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    expect(calls.start).toHaveBeenCalledWith({ prompt: 'summarize my inbox' });
    expect(input.value).toBe('');
  });

  it('Shift+Enter does not run', async () => {
    const { calls, input } = await renderBar();
    fireEvent.change(input, { target: { value: 'line one' } });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(calls.start).not.toHaveBeenCalled();
  });

  it('↑ recalls earlier prompts and ↓ returns to the draft', async () => {
    const { store, input } = await renderBar();
    act(() => {
      store.getState().rememberPrompt('first');
      store.getState().rememberPrompt('second');
    });
    fireEvent.change(input, { target: { value: 'draft' } });
    input.setSelectionRange(0, 0);
    fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('second');
    fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('first');
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.value).toBe('draft');
  });

  it('is disabled while OmniPalm cannot be reached', async () => {
    const { input } = await renderBar(false);
    expect(input.disabled).toBe(true);
  });
});
