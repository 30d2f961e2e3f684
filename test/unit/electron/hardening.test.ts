// The guards every window gets, checked against stand-in webContents and session objects:
// each registered handler must say no.
import { describe, expect, it, vi } from 'vitest';
import {
  hardenSession,
  hardenWebContents,
  type HardenableContents,
  type HardenableSession,
  type PreventableEvent,
} from '../../../src-main/electron/hardening.js';

class StandInContents implements HardenableContents {
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  readonly listeners = new Map<string, ((event: PreventableEvent) => void)[]>();

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  on(event: string, listener: (event: PreventableEvent) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  /** Fires `name` at every listener, as Electron would; true when one prevented it. */
  fire(name: string): boolean {
    const event = { preventDefault: vi.fn() };
    for (const listener of this.listeners.get(name) ?? []) listener(event);
    return event.preventDefault.mock.calls.length > 0;
  }
}

type RequestHandler = Parameters<HardenableSession['setPermissionRequestHandler']>[0];

class StandInSession implements HardenableSession {
  requestHandler: RequestHandler | undefined;
  checkHandler: ((contents: unknown, permission: string) => boolean) | undefined;
  deviceHandler: (() => boolean) | undefined;

  setPermissionRequestHandler(handler: RequestHandler): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void {
    this.checkHandler = handler;
  }
  setDevicePermissionHandler(handler: () => boolean): void {
    this.deviceHandler = handler;
  }
}

describe('hardenWebContents', () => {
  it('denies new windows', () => {
    const contents = new StandInContents();
    hardenWebContents(contents);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({
      action: 'deny',
    });
  });

  it('sends an http(s) or mailto link to the system browser, and nothing else', () => {
    const contents = new StandInContents();
    const openExternal = vi.fn();
    hardenWebContents(contents, openExternal);
    for (const url of [
      'https://example.com/a?b=1',
      'http://example.com/',
      'mailto:a@example.com',
    ]) {
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    }
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'vscode://file/x',
      'data:text/html,x',
      'not a url',
    ]) {
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    }
    expect(openExternal.mock.calls).toEqual([
      ['https://example.com/a?b=1'],
      ['http://example.com/'],
      ['mailto:a@example.com'],
    ]);
  });

  it('prevents navigation and attaching a <webview>', () => {
    const contents = new StandInContents();
    hardenWebContents(contents);
    expect(contents.fire('will-navigate')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
  });
});

describe('hardenSession', () => {
  it('refuses every permission request', () => {
    const session = new StandInSession();
    hardenSession(session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      const callback = vi.fn();
      session.requestHandler?.({}, permission, callback);
      expect(callback, permission).toHaveBeenCalledExactlyOnceWith(false);
    }
    expect(session.requestHandler).toBeDefined();
  });

  it('allows writing the clipboard (Copy on a code block), nothing else', () => {
    const session = new StandInSession();
    hardenSession(session);
    const callback = vi.fn();
    session.requestHandler?.({}, 'clipboard-sanitized-write', callback);
    expect(callback).toHaveBeenCalledExactlyOnceWith(true);
    expect(session.checkHandler?.({}, 'clipboard-sanitized-write')).toBe(true);
    expect(session.checkHandler?.({}, 'clipboard-read')).toBe(false);
  });

  it('answers no to permission checks and device access', () => {
    const session = new StandInSession();
    hardenSession(session);
    expect(session.checkHandler?.({}, 'media')).toBe(false);
    expect(session.deviceHandler?.()).toBe(false);
  });
});
