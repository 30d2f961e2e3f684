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
    trusted_paths: ['~/projects/notes'],
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

  it('trusted paths: says what trusting means, and adding one sends the new list', async () => {
    const fake = permissionsBridge();
    renderWith(fake, <Permissions />);
    const list = await screen.findByRole('list', { name: 'Trusted paths' });
    expect(list.textContent).toContain('~/projects/notes');
    const field = screen.getByLabelText('Add to trusted paths');
    // The explanation is the field's description, so a screen reader reads it with the field.
    const about = document.getElementById(field.getAttribute('aria-describedby') ?? '');
    expect(about?.textContent).toMatch(
      /reading them does not mark a task as having read untrusted/,
    );
    expect(about?.textContent).toMatch(/every action that can send data out asks you first/);

    fireEvent.change(field, { target: { value: '~/Documents/own' } });
    fireEvent.submit(field);
    expect(fake.bridge.set).toHaveBeenCalledWith({
      key: 'security.trusted_paths',
      value: ['~/projects/notes', '~/Documents/own'],
    });
    await waitFor(() => expect(list.textContent).toContain('~/Documents/own'));
    expect((field as HTMLInputElement).value).toBe('');
  });

  it('trusted paths: removes one, flags a whole home, and shows main refusing a value', async () => {
    const set = vi.fn<SetCall>(savesEverything);
    const fake = permissionsBridge(set);
    renderWith(fake, <Permissions />);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Remove ~/projects/notes from trusted paths' }),
    );
    expect(set).toHaveBeenLastCalledWith({ key: 'security.trusted_paths', value: [] });

    const field = screen.getByLabelText('Add to trusted paths');
    fireEvent.change(field, { target: { value: '~/' } });
    fireEvent.submit(field);
    expect(await screen.findByText('trusts every file under it, downloads included')).toBeTruthy();

    set.mockResolvedValueOnce({
      ok: false,
      error: 'config.yaml: security.trusted_paths[1]: expected a path, got ""',
    });
    fireEvent.change(field, { target: { value: '/srv/mine' } });
    fireEvent.submit(field);
    expect((await screen.findByRole('alert')).textContent).toContain('security.trusted_paths[1]');
  });
});
