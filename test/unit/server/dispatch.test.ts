// dispatchCall: the one parse–call–parse every transport uses.
import { describe, expect, it, vi } from 'vitest';
import type { ContractHandlers } from '../../../src-preload/contract.js';
import { ContractRequestError, dispatchCall } from '../../../src-main/server/dispatch.js';

const TASK = '8d2f6a3c-3f0e-4c55-9a57-2a1f0c9b7e11';

function stubHandlers(overrides: Partial<ContractHandlers> = {}): ContractHandlers {
  const unused = () => {
    throw new Error('not called in this test');
  };
  return new Proxy(overrides, {
    get: (target, key: string) => target[key as keyof ContractHandlers] ?? unused,
  }) as ContractHandlers;
}

describe('dispatchCall', () => {
  it('passes the parsed request and returns the parsed response', async () => {
    const stop = vi.fn(() => ({ stopped: true, internal: 'dropped' }));
    const result = await dispatchCall(stubHandlers({ 'task.stop': stop }), 'task.stop', {
      taskId: TASK,
    });
    expect(stop).toHaveBeenCalledWith({ taskId: TASK });
    expect(result).toEqual({ stopped: true });
  });

  it('refuses payloads the contract does not allow, naming the field', async () => {
    const start = vi.fn();
    const handlers = stubHandlers({ 'task.start': start });
    for (const bad of [
      undefined,
      { prompt: '' },
      { prompt: 'x'.repeat(10_001) },
      { prompt: 'ok', shell: '/bin/sh' },
      { prompt: 42 },
    ]) {
      const error = await dispatchCall(handlers, 'task.start', bad).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(ContractRequestError);
      expect((error as Error).message).toMatch(/^task\.start: request refused: /);
    }
    await expect(dispatchCall(handlers, 'timeline.page', { limit: 501 })).rejects.toBeInstanceOf(
      ContractRequestError,
    );
    await expect(
      dispatchCall(handlers, 'confirmation.answer', { id: TASK, answer: 'maybe' }),
    ).rejects.toThrow(/answer/);
    expect(start).not.toHaveBeenCalled();
  });

  it('refuses unknown channels, including inherited names', async () => {
    for (const channel of ['nope.call', '__proto__', 'toString', 'constructor']) {
      await expect(dispatchCall(stubHandlers(), channel, {})).rejects.toBeInstanceOf(
        ContractRequestError,
      );
    }
  });

  it('names only the channel when main breaks the contract', async () => {
    const handlers = stubHandlers({
      'task.start': () => ({ token: 'sk-secret' }) as never,
    });
    const error = (await dispatchCall(handlers, 'task.start', { prompt: 'hi' }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).not.toBeInstanceOf(ContractRequestError);
    expect(error.message).toBe('task.start: main produced a response that breaks the contract');
  });
});
