// BrowserSession: which Chromium it starts, the error when none starts, and that closing it
// leaves no browser process behind.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BrowserLaunchError,
  BrowserSession,
  resolveExecutable,
} from '../../../../src-main/tools/browser/browserSession.js';
import { makeTempFolder } from '../../../support/tempFolders.js';
import { CHROMIUM, chromiumProcesses, HAS_CHROMIUM, makeBrowserSandbox } from './fixture.js';

/** Resolves once none of `pids` is running any more (polled: exit is not an event we can await). */
async function gone(pids: Set<number>, deadlineMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const running = [...pids].filter((pid) => chromiumProcesses().has(pid));
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('resolveExecutable', () => {
  it('uses the configured path as is, else the first system Chromium found', () => {
    const folder = makeTempFolder();
    expect(resolveExecutable('/opt/chrome/chrome', [CHROMIUM])).toBe('/opt/chrome/chrome');
    expect(resolveExecutable(undefined, [path.join(folder, 'missing'), folder])).toBe(folder);
    expect(resolveExecutable(undefined, [path.join(folder, 'missing')])).toBeUndefined();
  });
});

describe('BrowserSession', () => {
  it('names integrations.browser.executable_path when the browser cannot start', async () => {
    const sandbox = await makeBrowserSandbox({ enabled: true });
    const missing = path.join(makeTempFolder(), 'no-such-chromium');
    const session = new BrowserSession({ policy: sandbox.enforcer, executablePath: missing });
    const failure = session.page();
    await expect(failure).rejects.toBeInstanceOf(BrowserLaunchError);
    await expect(failure).rejects.toThrow(/integrations\.browser\.executable_path/);
    await expect(failure).rejects.toThrow(missing);
    await session.close();
  });

  it.skipIf(!HAS_CHROMIUM)('closes the browser and all its processes, once', async () => {
    const sandbox = await makeBrowserSandbox({ enabled: true });
    const before = chromiumProcesses();
    const session = new BrowserSession({ policy: sandbox.enforcer });
    await session.page();
    const browser = session.browser!;
    expect(browser.isConnected()).toBe(true);
    const started = new Set([...chromiumProcesses()].filter((pid) => !before.has(pid)));
    expect(started.size).toBeGreaterThan(0);

    await session.close();
    await session.close(); // Idempotent.
    expect(browser.isConnected()).toBe(false);
    expect(session.browser).toBeUndefined();
    expect(await gone(started)).toEqual([]);
    await expect(session.page()).rejects.toThrow('closed');
  });
});
