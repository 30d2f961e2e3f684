// A real bash under a real pty: the sentinel protocol, persistence, timeouts and the scrubbed
// environment, as a task would see them.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { quoteForBash, ShellSession } from '../../../../src-main/tools/shell/shellSession.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

const sessions: ShellSession[] = [];
afterEach(() => sessions.splice(0).forEach((session) => session.dispose()));

function open(options: { secrets?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const cwd = makeTempFolder('omnipalm-shell-');
  const session = new ShellSession({ cwd, ...options });
  sessions.push(session);
  return { cwd, session };
}

const run = (session: ShellSession, command: string, timeoutMs = 10_000) =>
  session.exec(command, { timeoutMs });

describe('ShellSession', () => {
  it('runs a command and reports its output and exit code', async () => {
    const { session } = open();
    const result = await run(session, 'echo hello');
    expect(result).toEqual({
      output: 'hello\n',
      droppedChars: 0,
      exitCode: 0,
      timedOut: false,
      violations: [],
    });
  });

  it('reports a non-zero exit code', async () => {
    const { session } = open();
    expect(
      (await run(session, 'echo oops >&2; exit_code() { return 7; }; exit_code')).exitCode,
    ).toBe(7);
    expect(await run(session, 'false')).toMatchObject({ exitCode: 1, output: '' });
  });

  it('keeps the folder and variables between commands', async () => {
    const { cwd, session } = open();
    fs.mkdirSync(path.join(cwd, 'sub'));
    await run(session, 'cd sub && export GREETING=hi');
    expect((await run(session, 'pwd; echo $GREETING')).output).toBe(`${cwd}/sub\nhi\n`);
    expect(session.cwd).toBe(path.join(cwd, 'sub'));
  });

  it('returns multi-line output and output without a final newline exactly', async () => {
    const { session } = open();
    expect((await run(session, 'printf "one\\ntwo\\n\\nthree"')).output).toBe('one\ntwo\n\nthree');
    expect((await run(session, 'printf partial')).output).toBe('partial');
  });

  it('is not ended early by output that looks like a marker', async () => {
    const { session } = open();
    const fakes = [
      'echo; echo "00000000000000000000000000000000:0"',
      "printf '\\n%s:%d:%s\\n' deadbeefdeadbeefdeadbeefdeadbeef 0 /",
      'echo "$(printf "%032d" 0):start"',
    ].join('; ');
    const result = await run(
      session,
      `${fakes}; echo still running; exit_with() { return 3; }; exit_with`,
    );
    expect(result.output).toContain('still running\n');
    expect(result.output).toContain('00000000000000000000000000000000:0\n');
    expect(result.exitCode).toBe(3);
  });

  it('passes quotes, backslashes, tabs, non-ASCII and long commands through unchanged', async () => {
    const { session } = open();
    const text = `it's "quoted" \\ back\ttab é ${'x'.repeat(6000)}`;
    const result = await run(session, `printf '%s' ${quoteForBash(text)}`);
    expect(result.output).toBe(text);
  });

  it('gives commands an empty stdin instead of waiting for input', async () => {
    const { session } = open();
    expect(await run(session, 'cat; echo done')).toMatchObject({ output: 'done\n', exitCode: 0 });
  });

  it('interrupts a command that runs past its timeout, and the next command works', async () => {
    const { session } = open();
    const started = Date.now();
    const result = await run(session, 'sleep 30', 300);
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await run(session, 'echo after')).toMatchObject({ output: 'after\n', exitCode: 0 });
  });

  it('kills a shell that ignores the interrupt and starts a new one in the same folder', async () => {
    const cwd = makeTempFolder('omnipalm-shell-');
    const session = new ShellSession({ cwd, interruptGraceMs: 200 });
    sessions.push(session);
    const result = await session.exec("trap '' INT; sleep 30", { timeoutMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(await run(session, 'pwd')).toMatchObject({ output: `${cwd}\n`, exitCode: 0 });
  });

  it('starts a new shell after the old one exits', async () => {
    const { session } = open();
    expect((await run(session, 'exit 4')).exitCode).toBe(4);
    expect(await run(session, 'echo again')).toMatchObject({ output: 'again\n', exitCode: 0 });
  });

  it('keeps all output of a command that makes the shell exit (the tail is drained)', async () => {
    const { session } = open();
    for (let round = 0; round < 5; round++) {
      const result = await run(session, `head -c 300000 /dev/zero | tr '\\0' a; exit 7`);
      expect(result.exitCode).toBe(7);
      // bash says "exit" as it leaves; every byte before it arrived.
      expect(result.output).toBe(`${'a'.repeat(300_000)}exit\n`);
    }
  });

  it('stops on an abort signal', async () => {
    const { session } = open();
    const controller = new AbortController();
    const running = session.exec('sleep 30', { timeoutMs: 60_000, signal: controller.signal });
    controller.abort(new Error('task cancelled'));
    await expect(running).rejects.toThrow('task cancelled');
    expect((await run(session, 'echo ok')).output).toBe('ok\n');
  });

  it('hides registered secrets and OmniPalm credentials from the environment', async () => {
    const secret = 'sk-test-0123456789abcdef';
    const { session } = open({
      secrets: [secret],
      env: {
        ...process.env,
        OMNIPALM_LLM_API_KEY: secret,
        ANTHROPIC_API_KEY: secret,
        HARMLESS: 'visible',
      },
    });
    const result = await run(session, 'env');
    expect(result.output).not.toContain(secret);
    expect(result.output).not.toContain('OMNIPALM_LLM_API_KEY');
    expect(result.output).toContain('HARMLESS=visible');
    expect(result.output).toContain('TERM=xterm-256color');
  });

  it('keeps the output of a command within the limit and counts the rest', async () => {
    const cwd = makeTempFolder('omnipalm-shell-');
    const session = new ShellSession({ cwd, maxOutputChars: 1000 });
    sessions.push(session);
    const result = await run(session, 'head -c 5000 /dev/zero | tr "\\0" a; echo');
    expect(result.output).toBe('a'.repeat(1000));
    expect(result.droppedChars).toBe(4001);
  });

  it('streams output to listeners in batches', async () => {
    const { session } = open();
    const chunks: string[] = [];
    session.onData((chunk) => chunks.push(chunk));
    await run(session, 'echo streamed');
    expect(chunks.join('').replace(/\r/g, '')).toBe('streamed\n');
  });

  it('runs 200 commands in a row', async () => {
    const { session } = open();
    for (let index = 0; index < 200; index++) {
      expect((await run(session, 'true')).exitCode).toBe(0);
    }
  });
});
