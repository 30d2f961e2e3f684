// The terminal view's side of a task's shell: a real ShellSession under a real pty, registered
// with the hub; events as the renderer would receive them, calls as the router would make them.
import { afterEach, describe, expect, it } from 'vitest';
import { events, type EventName, type EventPayloadOf } from '../../../src-preload/contract.js';
import type { AuditEvent } from '../../../src-main/audit/auditEvent.js';
import { showControlCharacters, TerminalHub } from '../../../src-main/agent/terminalHub.js';
import { ShellSession } from '../../../src-main/tools/shell/shellSession.js';
import { makeTempFolder } from '../../support/tempFolders.js';

interface Received {
  event: EventName;
  payload: unknown;
}

const sessions: ShellSession[] = [];
afterEach(() => sessions.splice(0).forEach((session) => session.dispose()));

function setUp() {
  const cwd = makeTempFolder('omnipalm-terminal-');
  const session = new ShellSession({ cwd });
  sessions.push(session);
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const audited: AuditEvent[] = [];
  const hub = new TerminalHub({
    audit: (event) => audited.push(event),
    emit: (event, payload) => {
      received.push({ event, payload });
      for (const wake of waiters) wake();
    },
  });
  const sessionId = hub.register(session, { taskId: 'task-1', conversation: 'c0ffee' });

  /** Everything the view has been shown for this session so far. */
  const screen = () =>
    received
      .filter((entry) => entry.event === 'terminal.data')
      .map((entry) => (entry.payload as EventPayloadOf<'terminal.data'>).data)
      .join('');
  /** Resolves once the view has been shown `text` (awaits events, never a fixed sleep). */
  const shown = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!screen().includes(text)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const input = (data: string) => hub.handlers['terminal.input']({ sessionId, data });
  return { cwd, session, hub, sessionId, received, audited, screen, shown, input };
}

/** A line of 8 KB of dots: pushes what came before it past the session's hold-back. */
const FILLER = "head -c 8000 /dev/zero | tr '\\0' .; echo";

const exec = (session: ShellSession, command: string) =>
  session.exec(command, { timeoutMs: 10_000 });

describe('TerminalHub', () => {
  it('announces a registered session and lists it with its task, folder and size', async () => {
    const { cwd, hub, sessionId, received } = setUp();
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received[0]).toEqual({
      event: 'terminal.opened',
      payload: { sessionId, taskId: 'task-1', cwd, sandboxed: false },
    });
    expect(await hub.handlers['terminal.list']({})).toEqual({
      sessions: [{ sessionId, taskId: 'task-1', cwd, sandboxed: false, cols: 200, rows: 50 }],
    });
  });

  it("streams the agent's command output as terminal.data events that match the contract", async () => {
    const { session, sessionId, received, shown } = setUp();
    const result = await exec(session, 'echo one; printf "two\\n"');
    expect(result.output).toBe('one\ntwo\n');
    await shown('two');
    const data = received.filter((entry) => entry.event === 'terminal.data');
    expect(data.length).toBeGreaterThan(0);
    for (const { event, payload } of received) {
      // What the preload would deliver: each payload parses against its event's schema.
      expect(events[event].parse(payload)).toEqual(payload);
    }
    expect((data[0]!.payload as EventPayloadOf<'terminal.data'>).sessionId).toBe(sessionId);
  });

  it('resizes the pseudo-terminal: the next command sees the new size', async () => {
    const { session, hub, sessionId } = setUp();
    expect((await exec(session, 'stty size </dev/tty')).output).toBe('50 200\n');
    expect(await hub.handlers['terminal.resize']({ sessionId, cols: 91, rows: 33 })).toEqual({
      ok: true,
    });
    expect((await exec(session, 'stty size </dev/tty; tput cols')).output).toBe('33 91\n91\n');
    expect((await hub.handlers['terminal.list']({})).sessions[0]).toMatchObject({
      cols: 91,
      rows: 33,
    });
  });

  it('keeps a size set before the shell starts for the shell it starts', async () => {
    const cwd = makeTempFolder('omnipalm-terminal-');
    const session = new ShellSession({ cwd });
    sessions.push(session);
    session.resize(120, 40);
    expect((await exec(session, 'stty size </dev/tty')).output).toBe('40 120\n');
  });

  it("runs the user's line when idle, shows it, and audits it as the user's command", async () => {
    const { session, sessionId, audited, shown, input } = setUp();
    await exec(session, 'true'); // The agent's shell is up and idle.
    expect(await input('echo fro')).toEqual({ accepted: true });
    // Backspace edits the line; a C1 control and an arrow key's escape sequence are dropped.
    expect(await input('\x7fom\x9b user\x1b[A\r')).toEqual({ accepted: true });
    await shown('echo fro\b \bom user\r\n'); // The echo of the typed line…
    await shown('om user\r\nfrom user\r\n'); // …and the command's own output.
    expect(audited).toEqual([
      {
        kind: 'user_command',
        name: 'terminal',
        text: 'echo from user',
        taskId: 'task-1',
        // The agent session whose turn runs the shell: the line carries it like the turn's own.
        sessionId: 'c0ffee',
        fields: { via: 'terminal', sessionId },
      },
    ]);
    // Nothing is audited for keystrokes that did not finish a line.
    await input('half typed');
    expect(audited).toHaveLength(1);
  });

  it("refuses input while the agent's command runs, and audits nothing", async () => {
    const { session, audited, shown, input } = setUp();
    // The session holds back the last few KB of a running command's output (a marker may be
    // split across chunks), so enough follows the line this test waits for.
    const running = exec(session, `echo agent-started; ${FILLER}; sleep 1; echo agent-done`);
    await shown('agent-started');
    const refused = await input('rm -rf ~\r');
    expect(refused.accepted).toBe(false);
    expect(refused.reason).toMatch(/agent's command is running/);
    expect((await running).output).toMatch(/^agent-started\n\.+\nagent-done\n$/);
    expect(audited).toEqual([]);
    expect(await input('echo after\r')).toEqual({ accepted: true });
    await shown('after\r\n');
  });

  it("runs the user's line in a subshell: the agent's shell keeps its folder and functions", async () => {
    const { cwd, session, shown, input } = setUp();
    await exec(session, 'true');
    await input('cd / && pwd && omnipalm_probe() { echo planted; }; echo user-done\r');
    await shown('user-done\r\n');
    expect(session.cwd).toBe(cwd);
    const next = await exec(
      session,
      'pwd; type omnipalm_probe >/dev/null 2>&1 && omnipalm_probe || echo clean',
    );
    expect(next.output).toBe(`${cwd}\nclean\n`);
  });

  it('lets the user stop their own running line with Ctrl-C (audited) and nothing else', async () => {
    const { session, audited, shown, input } = setUp();
    await exec(session, 'true');
    await input(`echo waiting; ${FILLER}; sleep 30\r`);
    await shown('waiting\r\n');
    expect((await input('ls\r')).reason).toMatch(/still running; Ctrl-C stops it/);
    expect(await input('\x03')).toEqual({ accepted: true });
    await shown('^C\r\n');
    expect(audited.map((event) => event.text)).toEqual([`echo waiting; ${FILLER}; sleep 30`, '^C']);
    // The shell is usable again, by the agent and by the user.
    expect((await exec(session, 'echo agent-again')).output).toBe('agent-again\n');
  });

  it('announces the end of a session and then no longer knows it', async () => {
    const { session, hub, sessionId, received, input } = setUp();
    await exec(session, 'echo last words');
    session.dispose();
    hub.unregister(sessionId);
    expect(received.at(-1)).toEqual({
      event: 'terminal.exit',
      payload: { sessionId, exitCode: null },
    });
    expect(received.map((entry) => entry.event)).toContain('terminal.data');
    expect((await hub.handlers['terminal.list']({})).sessions).toEqual([]);
    expect(() => input('ls\r')).toThrow(`terminal: no open session ${sessionId}`);
    expect(() => hub.handlers['terminal.resize']({ sessionId, cols: 80, rows: 24 })).toThrow(
      /terminal.list names the open ones/,
    );
  });

  it('answers input to a closed session that is still registered with a reason', async () => {
    const { session, input } = setUp();
    session.dispose();
    expect(await input('ls\r')).toEqual({
      accepted: false,
      reason: 'the shell session was closed; its terminal takes no input',
    });
  });

  it('keeps streaming to the other front doors when one fails', async () => {
    const { session, hub, shown } = setUp();
    hub.subscribe(() => {
      throw new Error('window closed');
    });
    await exec(session, 'echo still streamed');
    await shown('still streamed');
  });
});

describe('showControlCharacters', () => {
  it('shows control characters, DEL, C1 controls and bidi overrides as text', () => {
    expect(showControlCharacters('ls\t-la\x1b[2J\x7f')).toBe('ls^I-la^[[2J^?');
    expect(showControlCharacters('a\u0085b\u202ec')).toBe('a\\u{85}b\\u{202e}c');
    expect(showControlCharacters('héllo wörld')).toBe('héllo wörld');
  });
});
