// A sandboxed session over a long task: 1,000 commands must not leave processes or file
// descriptors behind, and closing the session (then the runtime) must leave no bwrap, bash or
// socat running. Counted from /proc: this process's descendants and its open descriptors.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { resetSandboxRuntime } from '../../src-main/tools/shell/sandbox.js';
import { ShellSession } from '../../src-main/tools/shell/shellSession.js';
import {
  makeSandboxTree,
  openDescriptorCount,
  prepareSandbox,
  sandboxProcesses,
} from './sandboxFixture.js';

afterAll(async () => {
  await resetSandboxRuntime();
});

/** Room for what the runtime or Node open lazily (a timer fd, a pooled socket). */
const SLACK = 4;

describe('a sandboxed session running 1,000 commands', () => {
  it('leaks no processes or descriptors, and leaves nothing running once closed', async () => {
    const tree = makeSandboxTree();
    const sandbox = await prepareSandbox(tree);
    const session = new ShellSession({ cwd: tree.work, launcher: sandbox.launcher() });
    try {
      // Warm up: the shell and the runtime's proxies start with the first command.
      expect(await session.exec('true', { timeoutMs: 10_000 })).toMatchObject({ exitCode: 0 });
      const processesBefore = sandboxProcesses();
      const descriptorsBefore = openDescriptorCount();
      expect(processesBefore.some(({ name }) => name === 'bwrap')).toBe(true);

      const seen = new Set<string>();
      for (let index = 0; index < 1_000; index += 1) {
        const command = index % 2 === 0 ? 'true' : 'echo $RANDOM';
        const result = await session.exec(command, { timeoutMs: 10_000 });
        expect(result.exitCode).toBe(0);
        if (index % 2 === 1) {
          expect(result.output).toMatch(/^\d+\n$/);
          seen.add(result.output);
        }
      }
      // The same shell answered all along (same processes as before), and really ran them.
      expect(seen.size).toBeGreaterThan(100);
      const processesAfter = sandboxProcesses();
      expect(processesAfter.map(({ pid }) => pid).sort()).toEqual(
        processesBefore.map(({ pid }) => pid).sort(),
      );
      expect(openDescriptorCount()).toBeLessThanOrEqual(descriptorsBefore + SLACK);
    } finally {
      session.dispose();
    }
    // The session's own processes go at once; the runtime's proxy bridge stays until reset.
    await vi.waitFor(
      () => expect(sandboxProcesses().filter(({ name }) => name !== 'socat')).toEqual([]),
      { timeout: 5_000, interval: 20 },
    );
    await resetSandboxRuntime();
    await vi.waitFor(() => expect(sandboxProcesses()).toEqual([]), {
      timeout: 5_000,
      interval: 20,
    });
  });
});
