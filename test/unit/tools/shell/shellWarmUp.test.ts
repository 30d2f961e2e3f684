// ShellSession.warmUp and close: a task starts its shell before the first command, and a task
// that ends while the shell is still starting leaves nothing behind. Real bash under a real
// pty; where the start must be caught half-way, a launcher stands in for a slow sandbox.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShellSession, type ShellLauncher } from '../../../../src-main/tools/shell/shellSession.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

const sessions: ShellSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});

function open(launcher?: ShellLauncher) {
  const cwd = makeTempFolder('omnipalm-warm-');
  const session = new ShellSession({ cwd, launcher });
  sessions.push(session);
  return { cwd, session };
}

const EXEC = { timeoutMs: 10_000 };

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A launcher whose wrap waits for the test: a sandbox still being set up. */
function gatedLauncher(wrapped: { file: string; args: string[] }) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const calls: string[] = [];
  const launcher: ShellLauncher = {
    sandboxed: false,
    async wrap(shellCommand) {
      calls.push(shellCommand);
      await gate;
      return wrapped;
    },
  };
  return { launcher, calls, open };
}

describe('ShellSession.warmUp', () => {
  it('starts the shell before any command, and the first command runs in that shell', async () => {
    const { session } = open();
    expect(session.pid).toBeUndefined();
    session.warmUp();
    // The pty is spawned at once (unsandboxed there is nothing to wait for first).
    await vi.waitFor(() => expect(session.pid).toBeDefined());
    const pid = session.pid!;
    expect(isRunning(pid)).toBe(true);
    const result = await session.exec('echo $$', EXEC);
    expect(result).toMatchObject({ exitCode: 0, output: `${pid}\n` });
  });

  it('a command asked for while the shell starts waits for that start, not a second one', async () => {
    const {
      launcher,
      calls,
      open: finishWrap,
    } = gatedLauncher({
      file: 'bash',
      args: ['--noprofile', '--norc', '--noediting'],
    });
    const { session } = open(launcher);
    session.warmUp();
    session.warmUp();
    const first = session.exec('echo first', EXEC);
    finishWrap();
    expect(await first).toMatchObject({ exitCode: 0, output: 'first\n' });
    expect(calls).toHaveLength(1);
  });

  it('a failed start is the first command’s error, never an unhandled rejection', async () => {
    const message =
      'security.sandbox is "required" but no OS sandbox can run here (bubblewrap (bwrap) is not installed)';
    let wraps = 0;
    const refusing: ShellLauncher = {
      sandboxed: true,
      wrap: () => {
        wraps += 1;
        return Promise.reject(new Error(message));
      },
    };
    const { session } = open(refusing);
    session.warmUp();
    await expect(session.exec('true', EXEC)).rejects.toThrow(message);
    // Still refused the next time: a later command tries to start the shell again.
    await expect(session.exec('true', EXEC)).rejects.toThrow(message);
    expect(wraps).toBeGreaterThanOrEqual(2);
  });

  it('a command stopped while the shell starts does not run', async () => {
    const { launcher, open: finishWrap } = gatedLauncher({
      file: 'bash',
      args: ['--noprofile', '--norc', '--noediting'],
    });
    const { cwd, session } = open(launcher);
    session.warmUp();
    const stop = new AbortController();
    const running = session.exec('touch ran', { ...EXEC, signal: stop.signal });
    stop.abort(new Error('stopped by the user'));
    finishWrap();
    await expect(running).rejects.toThrow('stopped by the user');
    expect(fs.existsSync(path.join(cwd, 'ran'))).toBe(false);
  });
});

describe('ShellSession.close during the warm start', () => {
  it('kills a shell that was spawned but has not answered yet', async () => {
    // Stands in for a sandbox that is slow to come up: the pty's process never answers.
    const { launcher, open: finishWrap } = gatedLauncher({
      file: 'bash',
      args: ['-c', 'exec sleep 600'],
    });
    const { session } = open(launcher);
    session.warmUp();
    finishWrap();
    await vi.waitFor(() => expect(session.pid).toBeDefined());
    const pid = session.pid!;
    expect(isRunning(pid)).toBe(true);
    await session.close();
    // close() resolved only once the pty reported the exit: the process is gone and reaped.
    expect(isRunning(pid)).toBe(false);
    await expect(session.exec('true', EXEC)).rejects.toThrow('the shell session was closed');
  });

  it('waits for a sandbox set-up still in progress, and then spawns nothing', async () => {
    const {
      launcher,
      calls,
      open: finishWrap,
    } = gatedLauncher({
      file: 'bash',
      args: ['--noprofile', '--norc', '--noediting'],
    });
    const { session } = open(launcher);
    session.warmUp();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    let closed = false;
    const closing = session.close().then(() => (closed = true));
    // Not done while the set-up runs: a later reset of the sandbox runtime must not race it.
    await Promise.resolve();
    expect(closed).toBe(false);
    finishWrap();
    await closing;
    expect(session.pid).toBeUndefined();
  });
});
