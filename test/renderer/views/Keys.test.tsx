// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { Keys } from '../../../src-renderer/views/Keys';
import { fakeBridge, renderWith } from './fakeBridge';

afterEach(cleanup);

const SECRET = 'sk-ant-very-secret-value-123';

function keysBridge() {
  return fakeBridge({
    describe: vi.fn(async () => ({
      secrets: [
        { name: 'llm_api_key', source: 'keychain', inKeychain: true, ageDays: 12 },
        { name: 'jira_token', source: 'missing', inKeychain: false },
        { name: 'slack_token', source: 'env', inKeychain: false },
        { name: 'smtp_password', source: 'missing', inKeychain: false },
      ],
      keychain: { available: true },
    })),
    store: vi.fn(async () => ({ ok: true })),
    remove: vi.fn(async () => ({ removed: true })),
  });
}

describe('Keys', () => {
  it('shows each key with its source and age', async () => {
    renderWith(keysBridge(), <Keys />);
    expect(await screen.findByText(/from the OS keychain · 12 days old/)).toBeTruthy();
    expect(screen.getByText('from the environment')).toBeTruthy();
    expect(screen.getAllByText('not set')).toHaveLength(2);
  });

  it('sends a new key once, clears the field and never shows the value', async () => {
    const fake = keysBridge();
    renderWith(fake, <Keys />);
    const field = (await screen.findByLabelText('Set jira_token')) as HTMLInputElement;
    expect(field.type).toBe('password');
    fireEvent.change(field, { target: { value: SECRET } });
    fireEvent.submit(field);
    expect(fake.bridge.store).toHaveBeenCalledTimes(1);
    expect(fake.bridge.store).toHaveBeenCalledWith({ name: 'jira_token', value: SECRET });
    expect(field.value).toBe('');
    await screen.findByText('jira_token stored in the keychain.');
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('deletes a key only after confirmation', async () => {
    const fake = keysBridge();
    renderWith(fake, <Keys />);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete llm_api_key' }));
    expect(fake.bridge.remove).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(fake.bridge.remove).toHaveBeenCalledWith({ name: 'llm_api_key' }));
  });
});
