// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { Permissions } from '../../../src-renderer/views/Permissions';
import { fakeBridge, renderWith } from './fakeBridge';

afterEach(cleanup);

const config = {
  security: {
    allowed_paths: ['~/projects'],
    blocked_paths: ['~/.ssh'],
    confirm_operations: ['delete'],
    read_only: false,
    rate_limits: { emails_per_hour: 20 },
  },
  integrations: { browser: { enabled: false }, filesystem: { enabled: true } },
};

type SetCall = (request: { key: string; value: unknown }) => Promise<unknown>;

const savesEverything: SetCall = async (request) => ({
  ok: true,
  value: request.value,
  restartNeeded: false,
});

function permissionsBridge(set = vi.fn(savesEverything)) {
  return fakeBridge({
    get: vi.fn(async () => ({
      config,
      file: '/home/me/.omnipalm/config.yaml',
      exists: true,
      restartNeeded: false,
    })),
    set,
  });
}

describe('Permissions', () => {
  it('turning the browser capability on calls set with its key', async () => {
    const fake = permissionsBridge();
    renderWith(fake, <Permissions />);
    const toggle = (await screen.findByRole('switch', {
      name: 'Browser enabled',
    })) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    expect(fake.bridge.set).toHaveBeenCalledWith({
      key: 'integrations.browser.enabled',
      value: true,
    });
    await waitFor(() => expect(toggle.checked).toBe(true));
  });

  it('adding a blocked path sends the new list and marks it as inside an allowed path', async () => {
    const fake = permissionsBridge();
    renderWith(fake, <Permissions />);
    const field = await screen.findByLabelText('Add to blocked paths');
    fireEvent.change(field, { target: { value: '~/projects/secrets' } });
    fireEvent.submit(field);
    expect(fake.bridge.set).toHaveBeenCalledWith({
      key: 'security.blocked_paths',
      value: ['~/.ssh', '~/projects/secrets'],
    });
    expect(
      await screen.findByText(/inside allowed ~\/projects: blocked beats allowed/),
    ).toBeTruthy();
  });

  it('refuses a relative path before asking main', async () => {
    const fake = permissionsBridge();
    renderWith(fake, <Permissions />);
    const field = await screen.findByLabelText('Add to allowed paths');
    fireEvent.change(field, { target: { value: 'projects' } });
    fireEvent.submit(field);
    expect((await screen.findByRole('alert')).textContent).toMatch(/relative/);
    expect(fake.bridge.set).not.toHaveBeenCalled();
  });

  it("shows main's validation error inline", async () => {
    const set = vi.fn<SetCall>(async () => ({
      ok: false,
      error: 'config.yaml: security.confirm_operations[1]: unknown operation',
    }));
    const fake = permissionsBridge(set);
    renderWith(fake, <Permissions />);
    fireEvent.click(await screen.findByLabelText('send email'));
    expect(set).toHaveBeenCalledWith({
      key: 'security.confirm_operations',
      value: ['delete', 'send_email'],
    });
    expect((await screen.findByRole('alert')).textContent).toContain('unknown operation');
  });

  it('saves a rate limit when the field is left', async () => {
    const fake = permissionsBridge();
    renderWith(fake, <Permissions />);
    const field = await screen.findByLabelText('Emails, per hour');
    fireEvent.change(field, { target: { value: '5' } });
    fireEvent.blur(field);
    expect(fake.bridge.set).toHaveBeenCalledWith({
      key: 'security.rate_limits.emails_per_hour',
      value: 5,
    });
  });
});
