// shell.exec over a real PolicyEnforcer (the fs fixture: ~/.ssh blocked) and a real shell.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyDeniedError } from '../../../../src-main/tools/fs/shared.js';
import {
  capOutput,
  shellExec,
  stripTerminalCodes,
  ShellFolderChangedError,
  type ShellToolContext,
} from '../../../../src-main/tools/shell/exec.js';
import { ShellSession } from '../../../../src-main/tools/shell/shellSession.js';
import { makeSandbox, type Sandbox } from '../fs/fixture.js';

const sessions: ShellSession[] = [];
afterEach(() => sessions.splice(0).forEach((session) => session.dispose()));

async function setup(): Promise<{ sandbox: Sandbox; context: ShellToolContext }> {
  const sandbox = await makeSandbox();
  const shell = new ShellSession({
    cwd: sandbox.work,
    env: { ...process.env, HOME: sandbox.home },
  });
  sessions.push(shell);
  return { sandbox, context: { enforcer: sandbox.context.enforcer, shell } };
}

describe('shell.exec', () => {
  it('previews the command and runs it in the task shell', async () => {
    const { sandbox, context } = await setup();
    sandbox.file('notes.txt', 'remember\n');
    const plan = shellExec.plan(shellExec.inputSchema.parse({ command: 'cat notes.txt' }), context);
    expect(plan.decision.decision).not.toBe('deny');
    expect(plan.targets).toEqual([sandbox.work]);
    expect(plan.preview[0]).toBe('$ cat notes.txt');
    expect(plan.preview.filter((line) => line === '$ cat notes.txt')).toHaveLength(1);
    expect(await shellExec.execute(plan, context)).toEqual({
      output: 'remember\n',
      exitCode: 0,
      timedOut: false,
    });
  });

  it('denies reading a blocked path and refuses to run the denied plan', async () => {
    const { context } = await setup();
    const plan = shellExec.plan({ command: 'cat ~/.ssh/id_rsa' }, context);
    expect(plan.decision.decision).toBe('deny');
    await expect(shellExec.execute(plan, context)).rejects.toBeInstanceOf(PolicyDeniedError);
  });

  it('refuses to run when the shell moved since the preview', async () => {
    const { sandbox, context } = await setup();
    const plan = shellExec.plan({ command: 'ls' }, context);
    await context.shell.exec(`cd ${path.join(sandbox.home, 'docs')}`, { timeoutMs: 10_000 });
    await expect(shellExec.execute(plan, context)).rejects.toBeInstanceOf(ShellFolderChangedError);
  });

  it('reports the exit code and a timeout', async () => {
    const { context } = await setup();
    const failing = shellExec.plan({ command: 'ls does-not-exist' }, context);
    expect((await shellExec.execute(failing, context)).exitCode).not.toBe(0);
    const slow = shellExec.plan({ command: 'sleep 30', timeoutSeconds: 0.3 }, context);
    expect(await shellExec.execute(slow, context)).toMatchObject({ timedOut: true });
  });

  it('gives the model plain text: colours and titles removed', () => {
    expect(
      stripTerminalCodes('\x1b[01;34mdocs\x1b[0m  notes.txt\x1b]0;a title\x07\x1b[2K\x1b[?25hdone'),
    ).toBe('docs  notes.txtdone');
    expect(stripTerminalCodes('plain [text] stays\n')).toBe('plain [text] stays\n');
  });

  it('validates its input', () => {
    const schema = shellExec.inputSchema;
    expect(schema.safeParse({ command: '' }).success).toBe(false);
    expect(schema.safeParse({ command: 'x'.repeat(10_001) }).success).toBe(false);
    expect(schema.safeParse({ command: 'ls', timeoutSeconds: 601 }).success).toBe(false);
    expect(schema.safeParse({ command: 'ls', extra: 1 }).success).toBe(false);
  });

  it('caps long output, keeping its start and end with a note', async () => {
    const { context } = await setup();
    const plan = shellExec.plan({ command: 'seq 1 100000' }, context);
    const { output } = await shellExec.execute(plan, context);
    expect(output.startsWith('1\n2\n')).toBe(true);
    expect(output.endsWith('99999\n100000\n')).toBe(true);
    expect(output).toMatch(/\[output truncated: \d+ characters left out\]/);
    expect(output.length).toBeLessThan(100 * 1024 + 100);
    expect(capOutput('short')).toBe('short');
  });
});
