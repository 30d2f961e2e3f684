// @vitest-environment jsdom
// xterm needs a canvas and layout that jsdom lacks: @xterm/xterm is replaced by a small fake
// Terminal that records what the view writes and lets the test type.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { fakeBridge, renderWith } from './fakeBridge';

const fakes = vi.hoisted(() => {
  class FakeTerminal {
    static instances: FakeTerminal[] = [];
    written: string[] = [];
    size: [number, number] | undefined;
    typed: ((data: string) => void) | undefined;
    constructor() {
      FakeTerminal.instances.push(this);
    }
    open() {}
    write(data: string) {
      this.written.push(data);
    }
    reset() {
      this.written = [];
    }
    resize(cols: number, rows: number) {
      this.size = [cols, rows];
    }
    onData(listener: (data: string) => void) {
      this.typed = listener;
      return { dispose: () => (this.typed = undefined) };
    }
    dispose() {}
  }
  return { FakeTerminal };
});
vi.mock('@xterm/xterm', () => ({ Terminal: fakes.FakeTerminal }));

const { Terminal } = await import('../../../src-renderer/views/Terminal');

const SESSION = '6f1c1f0e-3a1b-4c52-9d44-0a8b8e7f1a01';
const OTHER = '6f1c1f0e-3a1b-4c52-9d44-0a8b8e7f1a02';
const session = (sessionId: string, sandboxed = true) => ({
  sessionId,
  taskId: 'task-1234567890',
  cwd: '/home/me/projects',
  sandboxed,
  cols: 80,
  rows: 24,
});

beforeEach(() => {
  fakes.FakeTerminal.instances = [];
  // 900 × 340 px at 9 × 17 px cells: 100 columns, 20 rows.
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(900);
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(340);
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function terminalBridge(sandboxed = true) {
  return fakeBridge({
    list: vi.fn(async () => ({ sessions: [session(SESSION, sandboxed)] })),
    resize: vi.fn(async () => ({ ok: true })),
    input: vi.fn(async () => ({ accepted: true })),
  });
}

describe('Terminal', () => {
  it('writes the data of its session only and sizes the pty to the view', async () => {
    const fake = terminalBridge();
    renderWith(fake, <Terminal />);
    await waitFor(() =>
      expect(fake.bridge.resize).toHaveBeenCalledWith({ sessionId: SESSION, cols: 100, rows: 20 }),
    );
    const xterm = fakes.FakeTerminal.instances[0];
    expect(xterm?.size).toEqual([100, 20]);

    fake.emit('terminal.data', { sessionId: SESSION, data: '$ ls\r\n' });
    fake.emit('terminal.data', { sessionId: OTHER, data: 'not mine' });
    expect(xterm?.written).toEqual(['$ ls\r\n']);
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('sends keystrokes as input and shows a refusal inline', async () => {
    const fake = terminalBridge();
    const input = fake.bridge.input as ReturnType<typeof vi.fn>;
    input.mockResolvedValueOnce({ accepted: true });
    input.mockResolvedValueOnce({ accepted: false, reason: 'the task has ended' });
    renderWith(fake, <Terminal />);
    await waitFor(() => expect(fake.bridge.resize).toHaveBeenCalled());
    const xterm = fakes.FakeTerminal.instances[0];

    xterm?.typed?.('ls\r');
    await waitFor(() => expect(input).toHaveBeenCalledWith({ sessionId: SESSION, data: 'ls\r' }));
    xterm?.typed?.('x');
    expect((await screen.findByRole('alert')).textContent).toContain('the task has ended');
  });

  it('stops sizing a session once it ended (its pty is gone: main would answer an error)', async () => {
    const fake = terminalBridge();
    renderWith(fake, <Terminal />);
    await waitFor(() => expect(fake.bridge.resize).toHaveBeenCalledTimes(1));
    fake.emit('terminal.exit', { sessionId: SESSION, exitCode: 0 });
    await screen.findByText(/Session ended/);

    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1800);
    act(() => void window.dispatchEvent(new Event('resize')));
    expect(fakes.FakeTerminal.instances[0]?.size).toEqual([200, 20]);
    expect(fake.bridge.resize).toHaveBeenCalledTimes(1);
  });

  it('switches to a session that opens, replaying nothing of the old one, and notes no sandbox', async () => {
    const fake = terminalBridge();
    renderWith(fake, <Terminal />);
    await waitFor(() => expect(fake.bridge.resize).toHaveBeenCalled());
    fake.emit('terminal.data', { sessionId: SESSION, data: 'old output' });

    fake.emit('terminal.opened', { ...session(OTHER, false) });
    await waitFor(() =>
      expect(fake.bridge.resize).toHaveBeenLastCalledWith({
        sessionId: OTHER,
        cols: 100,
        rows: 20,
      }),
    );
    fake.emit('terminal.data', { sessionId: OTHER, data: 'new output' });
    expect(fakes.FakeTerminal.instances[0]?.written).toEqual(['new output']);
    expect(screen.getByRole('note').textContent).toMatch(/without an OS sandbox/);
  });
});
