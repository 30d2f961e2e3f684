// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src-renderer/App';
import { NO_TOKEN_REASON } from '../../src-renderer/bridge';
import { connectStore, createAppStore } from '../../src-renderer/store';
import { confirmation, fakeBridge, STATUS } from './fakeBridge';

afterEach(cleanup);

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
});
