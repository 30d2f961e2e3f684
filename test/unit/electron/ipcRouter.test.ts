// The IPC router against a stand-in ipcMain: which channels exist, which senders are
// refused, and where events go. Each refusal is asserted by its own message, so a test fails
// if the check it names is removed (another check, or a TypeError, would not match).
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { channelNames, type ContractHandlers } from '../../../src-preload/contract.js';
import {
  IpcRouter,
  type EventReceiver,
  type InvokeHandlerRegistry,
  type InvokeSender,
} from '../../../src-main/electron/ipcRouter.js';
import { isOwnRendererUrl } from '../../../src-main/electron/rendererUrl.js';

const RENDERER_URL = pathToFileURL('/opt/OmniPalm/resources/app.asar/out/renderer/index.html').href;

type InvokeListener = Parameters<InvokeHandlerRegistry['handle']>[1];

/** Records handle() registrations and invokes them the way Electron's ipcMain does. */
class StandInIpcMain implements InvokeHandlerRegistry {
  readonly handlers = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    // Electron refuses a second handler for a channel rather than replacing the first.
    if (this.handlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    }
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke(channel, payload) from `sender` comes to in main. */
  async invoke(channel: string, sender: InvokeSender, payload: unknown): Promise<unknown> {
    const listener = this.handlers.get(channel);
    // Electron answers an invoke on a channel with no handler by rejecting it.
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    return listener(sender, payload);
  }
}

const topFrame = (url: string): InvokeSender => ({ senderFrame: { url, parent: null } });
const subFrame = (url: string): InvokeSender => ({
  senderFrame: { url, parent: { url: RENDERER_URL } },
});
const goneFrame: InvokeSender = { senderFrame: null };

function stubHandlers(overrides: Partial<ContractHandlers> = {}): ContractHandlers {
  const unused = () => {
    throw new Error('not called in this test');
  };
  return new Proxy(overrides, {
    get: (target, key: string) => target[key as keyof ContractHandlers] ?? unused,
  }) as ContractHandlers;
}

function setUp(overrides: Partial<ContractHandlers> = {}, contents: EventReceiver[] = []) {
  const ipcMain = new StandInIpcMain();
  const router = new IpcRouter({
    handlers: stubHandlers(overrides),
    isOwnRendererUrl: (url) => isOwnRendererUrl(RENDERER_URL, url),
    ipcMain,
    allWebContents: () => contents,
  });
  router.register();
  return { ipcMain, router };
}

const STATUS = { version: '1.2.3', mode: 'electron', platform: 'linux' } as const;

describe('IpcRouter channels', () => {
  it('registers exactly the contract channels, so Electron refuses any other', async () => {
    const { ipcMain } = setUp();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channelNames].sort());
    await expect(ipcMain.invoke('shell.exec', topFrame(RENDERER_URL), {})).rejects.toThrow(
      "No handler registered for 'shell.exec'",
    );
  });

  it('returns the handler response to a valid call from our page', async () => {
    const getStatus = vi.fn(() => STATUS);
    const set = vi.fn(() => ({ ok: true as const, value: 5, restartNeeded: true }));
    const { ipcMain } = setUp({ 'app.getStatus': getStatus, 'config.set': set });

    await expect(ipcMain.invoke('app.getStatus', topFrame(RENDERER_URL), {})).resolves.toEqual(
      STATUS,
    );
    const request = { key: 'agent.max_iterations', value: 5 };
    await expect(ipcMain.invoke('config.set', topFrame(RENDERER_URL), request)).resolves.toEqual({
      ok: true,
      value: 5,
      restartNeeded: true,
    });
    expect(set).toHaveBeenCalledWith(request);
  });

  it('trusts the quick prompt view of our page (same file, #prompt)', async () => {
    const getStatus = vi.fn(() => STATUS);
    const { ipcMain } = setUp({ 'app.getStatus': getStatus });
    await expect(
      ipcMain.invoke('app.getStatus', topFrame(`${RENDERER_URL}#prompt`), {}),
    ).resolves.toEqual(STATUS);
  });

  it('removes every handler on unregister', async () => {
    const { ipcMain, router } = setUp({ 'app.getStatus': () => STATUS });
    router.unregister();
    expect([...ipcMain.handlers.keys()]).toEqual([]);
    await expect(ipcMain.invoke('app.getStatus', topFrame(RENDERER_URL), {})).rejects.toThrow(
      /No handler registered/,
    );
    // And registering again works: nothing was left behind to collide with.
    router.register();
    expect(ipcMain.handlers.size).toBe(channelNames.length);
  });
});

describe('IpcRouter senders', () => {
  const refusals: [string, InvokeSender, RegExp][] = [
    ['a destroyed frame', goneFrame, /request refused because its frame is gone/],
    [
      'a sub-frame of our page',
      subFrame(RENDERER_URL),
      /request refused because it came from a sub-frame/,
    ],
    ['a foreign site', topFrame('https://evil.example/'), /not the OmniPalm renderer/],
    [
      'another local file',
      topFrame(pathToFileURL('/tmp/evil/index.html').href),
      /not the OmniPalm renderer/,
    ],
    [
      'another file next to our page',
      topFrame(new URL('other.html', RENDERER_URL).href),
      /not the OmniPalm renderer/,
    ],
  ];

  for (const [name, sender, reason] of refusals) {
    it(`refuses a request from ${name} without calling the handler`, async () => {
      const getStatus = vi.fn(() => STATUS);
      const set = vi.fn(() => ({ ok: true as const, value: 1, restartNeeded: false }));
      const { ipcMain } = setUp({ 'app.getStatus': getStatus, 'config.set': set });
      await expect(ipcMain.invoke('app.getStatus', sender, {})).rejects.toThrow(reason);
      await expect(
        ipcMain.invoke('config.set', sender, { key: 'agent.max_iterations', value: 1 }),
      ).rejects.toThrow(new RegExp(`^config\\.set: .*${reason.source}`));
      expect(getStatus).not.toHaveBeenCalled();
      expect(set).not.toHaveBeenCalled();
    });
  }
});

describe('IpcRouter payloads', () => {
  it('refuses a payload the contract schema rejects, with the schema error', async () => {
    const set = vi.fn(() => ({ ok: true as const, value: 1, restartNeeded: false }));
    const getStatus = vi.fn(() => STATUS);
    const { ipcMain } = setUp({ 'config.set': set, 'app.getStatus': getStatus });
    const own = topFrame(RENDERER_URL);

    await expect(ipcMain.invoke('config.set', own, { key: '', value: 1 })).rejects.toThrow(
      /^config\.set: request refused: [\s\S]*key/,
    );
    await expect(
      ipcMain.invoke('config.set', own, { key: 'a', value: 1, shell: 'sh' }),
    ).rejects.toThrow(/^config\.set: request refused: [\s\S]*shell/);
    await expect(ipcMain.invoke('app.getStatus', own, { verbose: true })).rejects.toThrow(
      /^app\.getStatus: request refused: [\s\S]*verbose/,
    );
    expect(set).not.toHaveBeenCalled();
    expect(getStatus).not.toHaveBeenCalled();
  });
});

describe('IpcRouter.emit', () => {
  function contents(url: string, destroyed = false) {
    return {
      isDestroyed: () => destroyed,
      getURL: () => {
        // As Electron does: a destroyed webContents throws on use.
        if (destroyed) throw new TypeError('Object has been destroyed');
        return url;
      },
      send: vi.fn(),
    };
  }

  it('sends only to live webContents showing our page, without fields the contract does not name', () => {
    const ours = contents(RENDERER_URL);
    const prompt = contents(`${RENDERER_URL}#prompt`);
    const foreign = contents('https://evil.example/');
    const devtools = contents('devtools://devtools/bundled/devtools_app.html');
    const otherFile = contents(pathToFileURL('/tmp/evil/index.html').href);
    const destroyed = contents(RENDERER_URL, true);
    const { router } = setUp({}, [ours, foreign, destroyed, devtools, otherFile, prompt]);

    const payload = { sessionId: 's1', data: 'ls\r\n', secret: 'kept in main' };
    router.emit('terminal.data', payload);

    expect(ours.send).toHaveBeenCalledExactlyOnceWith('terminal.data', {
      sessionId: 's1',
      data: 'ls\r\n',
    });
    expect(prompt.send).toHaveBeenCalledOnce();
    for (const other of [foreign, devtools, otherFile, destroyed]) {
      expect(other.send).not.toHaveBeenCalled();
    }
  });

  it('throws on a payload that breaks the contract and sends nothing', () => {
    const ours = contents(RENDERER_URL);
    const { router } = setUp({}, [ours]);
    expect(() =>
      router.emit('terminal.exit', { sessionId: 's1', exitCode: 'oops' } as never),
    ).toThrow('terminal.exit: main produced an event that breaks the contract');
    expect(ours.send).not.toHaveBeenCalled();
  });
});
