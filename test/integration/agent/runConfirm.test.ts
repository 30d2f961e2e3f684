// `omnipalm run` end to end through the real CLI: confirmations answered in a real
// pseudo-terminal (yes, no, list, allow for the task, Ctrl-C, the deadline), the denials
// without a terminal, targets that change under an open question, the --json outcome and
// the usage errors. The model is the scripted loopback server; everything else is real.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { ScriptedReply } from '../../support/scriptedModelServer.js';
import {
  makeRunFixture,
  runInTerminal,
  runPiped,
  type PtyRun,
  type RunFixture,
} from './runFixture.js';

const fixtures: RunFixture[] = [];
const terminals: PtyRun[] = [];
afterAll(async () => {
  for (const terminal of terminals.splice(0)) terminal.kill();
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

async function fixtureFor(
  script: ScriptedReply[],
  config?: (work: string) => Record<string, unknown>,
): Promise<RunFixture> {
  const fixture = await makeRunFixture(script, config);
  fixtures.push(fixture);
  return fixture;
}

function terminal(fixture: RunFixture, args: string[]): PtyRun {
  const run = runInTerminal(fixture, args);
  terminals.push(run);
  return run;
}

/**
 * Each test starts one to three CLI processes (~1.5 s of CPU each to start); on a shared,
 * loaded machine that alone can pass the suite's 20 s default.
 */
const SLOW_HOST_MS = 60_000;
const OLD = 90;
const DELETE_OLD_LOGS: ScriptedReply = {
  text: 'Deleting the old logs.',
  toolUses: [{ name: 'fs_delete', input: { paths: ['**/*.log'], olderThanDays: 30 } }],
};
const PROMPT = 'delete the log files older than 30 days';
/** The answer line of a delete question, waiting for the user (nothing typed yet). */
const ASKS_FILES = /ist files: $/;
/** An audit line ends with its chain seal. */
const SEALED = / seq=(\d+) sha256=[\w-]{43}$/;

/** The request body the model server got, parsed. */
interface SentMessage {
  role: string;
  content: string | { type: string; is_error?: boolean; content?: unknown; text?: string }[];
}
function sentMessages(fixture: RunFixture, index: number): SentMessage[] {
  const request = fixture.server.requests[index];
  if (!request) throw new Error(`the model got no request #${index}`);
  return (JSON.parse(request.body) as { messages: SentMessage[] }).messages;
}

/** The tool_result blocks the model got in request #index. */
function toolResultsSent(fixture: RunFixture, index: number) {
  const last = sentMessages(fixture, index).at(-1);
  if (!last || typeof last.content === 'string') return [];
  return last.content.filter((block) => block.type === 'tool_result');
}

function linesOf(fixture: RunFixture, pattern: RegExp): string[] {
  return fixture.auditLines().filter((line) => pattern.test(line));
}

describe.concurrent('omnipalm run: confirmations in a terminal', { timeout: SLOW_HOST_MS }, () => {
  it('previews a delete grouped per folder, lists every file, deletes exactly those on yes, and audits it', async ({
    expect,
  }) => {
    const fixture = await fixtureFor([DELETE_OLD_LOGS, { text: 'Deleted 5 old log files.' }]);
    const old = [
      fixture.file('app/logs/a.log', 'a', OLD),
      fixture.file('app/logs/b.log', 'b', OLD),
      fixture.file('app/logs/c.log', 'c', OLD),
      fixture.file('other/logs/d.log', 'd', OLD),
      fixture.file('other/logs/e.log', 'e', OLD),
    ];
    const recent = fixture.file('app/logs/today.log', 'today', 1);
    const run = terminal(fixture, [PROMPT]);

    const shown = await run.waitFor(ASKS_FILES);
    const question = shown.slice(shown.indexOf('⚠️'));
    expect(question).toContain('⚠️  This will delete 5 files. Proceed?\n');
    const work = fixture.work;
    const groups = question.split('\n').filter((line) => line.startsWith('    - '));
    expect(groups).toEqual([
      `    - ${path.join(work, 'app', 'logs', '*.log')} (3 files)`,
      `    - ${path.join(work, 'other', 'logs', '*.log')} (2 files)`,
    ]);
    expect(question).toMatch(/Why: .*confirm_operations/);
    expect(question).toContain('(answer within 120 s, or it counts as No');
    expect(question).toMatch(/\[Y\]es \/ \[N\]o \/ \[L\]ist files: $/);
    expect(question).not.toContain('today.log');

    const mark = run.output().length;
    run.type('l\r');
    const afterList = (await run.waitFor(/e\.log\n[\s\S]*ist files: $/, mark)).slice(mark);
    const listed = afterList
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('/'));
    expect(listed).toEqual(old);
    expect(afterList).not.toContain('today.log');

    run.type('y\r');
    expect(await run.exit).toBe(0);
    for (const file of old) expect(fs.existsSync(file), file).toBe(false);
    expect(fs.existsSync(recent)).toBe(true);
    expect(run.output()).toContain('Deleted 5 old log files.');
    expect(run.output()).toMatch(/done \(2 steps, \$\d/);

    const lines = fixture.auditLines();
    for (const line of lines) expect(line).toMatch(SEALED);
    const seqs = lines.map((line) => Number(SEALED.exec(line)?.[1]));
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const order = [
      at(/\[user_command\] "delete the log files older than 30 days"/),
      at(/\[tool_call\] fs\.delete paths="\*\*\/\*\.log" olderThanDays=30/),
      at(
        /\[confirmation\] fs\.delete "This will delete 5 files\. Proceed\?" .*answer="yes" by="cli"/,
      ),
      at(/\[tool_result\] fs\.delete status="success"/),
      lines.findLastIndex((line) => /\[agent_response\] "Deleted 5 old log files\."/.test(line)),
    ];
    expect(
      order.every((index) => index >= 0),
      lines.join('\n'),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('on no deletes nothing, exits 3, says it was refused and tells the model it was declined', async ({
    expect,
  }) => {
    const fixture = await fixtureFor([DELETE_OLD_LOGS, { text: 'Nothing was deleted.' }]);
    const files = [fixture.file('logs/a.log', 'a', OLD), fixture.file('logs/b.log', 'b', OLD)];
    const run = terminal(fixture, [PROMPT]);
    await run.waitFor(ASKS_FILES);
    run.type('n\r');
    expect(await run.exit).toBe(3);
    for (const file of files) expect(fs.existsSync(file)).toBe(true);
    expect(run.output()).toContain('refused: fs.delete (the user declined this action)');

    const [result] = toolResultsSent(fixture, 1);
    expect(result?.is_error).toBe(true);
    expect(JSON.stringify(result?.content)).toContain('declined');
    expect(linesOf(fixture, /\[confirmation\] fs\.delete .*answer="no" by="cli"/)).toHaveLength(1);
  });

  it('A allows the same command for the rest of the task: asked once, run twice', async ({
    expect,
  }) => {
    const echo = { name: 'shell_exec', input: { command: 'echo hi' } };
    const fixture = await fixtureFor([
      { text: 'Saying hi.', toolUses: [echo] },
      { text: 'Once more.', toolUses: [echo] },
      { text: 'Said hi twice.' },
    ]);
    const run = terminal(fixture, ['say hi twice']);
    const shown = await run.waitFor(/ist details: $/);
    expect(shown).toContain(`⚠️  Run a command in ${fixture.work}`);
    expect(shown).toContain('- $ echo hi');
    run.type('a\r');
    expect(await run.exit).toBe(0);

    expect(run.output().match(/⚠️/g)).toHaveLength(1);
    expect(run.output().match(/ist details:/g)).toHaveLength(1);
    const confirmations = linesOf(fixture, /\[confirmation\] shell\.exec /);
    expect(confirmations).toHaveLength(2);
    expect(confirmations[0]).toMatch(/answer="allow_for_task" by="cli"/);
    expect(confirmations[1]).toMatch(/answer="allow_for_task" by="allow_for_task"/);
    expect(linesOf(fixture, /\[tool_result\] shell\.exec status="success"/)).toHaveLength(2);
    for (const index of [1, 2]) {
      const [result] = toolResultsSent(fixture, index);
      expect(result?.is_error).toBeFalsy();
      expect(JSON.stringify(result?.content)).toContain('hi');
    }
  });

  it('an unanswered question times out as a no: nothing deleted, exit 3, audited as timeout', async ({
    expect,
  }) => {
    const fixture = await fixtureFor([DELETE_OLD_LOGS, { text: 'Nothing was deleted.' }], () => ({
      agent: { confirmation_timeout: 1 },
    }));
    const file = fixture.file('logs/a.log', 'a', OLD);
    const run = terminal(fixture, [PROMPT]);
    // Not anchored at the end: on a slow host the deadline's note may arrive in the same read.
    const shown = await run.waitFor(/ist files: /);
    expect(shown).toContain('(answer within 1 s, or it counts as No');
    // The one real wait in this file: the 1-second deadline itself.
    await run.waitFor(/ist files: \n+ *\(no answer: not done\)/);
    expect(await run.exit).toBe(3);
    expect(fs.existsSync(file)).toBe(true);
    expect(linesOf(fixture, /\[confirmation\] fs\.delete .*answer="timeout"/)).toHaveLength(1);
    expect(run.output()).toMatch(/refused: fs\.delete \(nobody approved this action \(timeout\)\)/);
  });

  it('asks again with the new count when the targets changed while the question was open', async ({
    expect,
  }) => {
    const fixture = await fixtureFor([DELETE_OLD_LOGS, { text: 'Deleted 3 old log files.' }]);
    const files = [fixture.file('logs/a.log', 'a', OLD), fixture.file('logs/b.log', 'b', OLD)];
    const run = terminal(fixture, [PROMPT]);
    expect(await run.waitFor(ASKS_FILES)).toContain('This will delete 2 files. Proceed?');
    files.push(fixture.file('logs/c.log', 'c', OLD));
    const mark = run.output().length;
    run.type('y\r');
    const again = (
      await run.waitFor(/This will delete 3 files\. Proceed\?[\s\S]*ist files: $/, mark)
    ).slice(mark);
    expect(again).toContain(`- ${path.join(fixture.work, 'logs', '*.log')} (3 files)`);
    for (const file of files) expect(fs.existsSync(file)).toBe(true);
    run.type('y\r');
    expect(await run.exit).toBe(0);
    for (const file of files) expect(fs.existsSync(file)).toBe(false);

    const confirmations = linesOf(fixture, /\[confirmation\] fs\.delete /);
    expect(confirmations).toHaveLength(2);
    expect(confirmations[0]).toMatch(/"This will delete 2 files\. Proceed\?".*answer="yes"/);
    expect(confirmations[1]).toMatch(/"This will delete 3 files\. Proceed\?".*answer="yes"/);
    const lines = fixture.auditLines();
    const changed = lines.findIndex((line) => /changed since the preview/.test(line));
    expect(changed, lines.join('\n')).toBeGreaterThan(lines.indexOf(confirmations[0]!));
    expect(changed).toBeLessThan(lines.indexOf(confirmations[1]!));
    expect(lines[changed]).toContain('This will delete 3 files');
  });

  it('Ctrl-C during a question stops the task: exit 130, nothing deleted', async ({ expect }) => {
    const fixture = await fixtureFor([DELETE_OLD_LOGS, { text: 'unreachable' }]);
    const file = fixture.file('logs/a.log', 'a', OLD);
    const run = terminal(fixture, [PROMPT]);
    await run.waitFor(ASKS_FILES);
    run.type('\x03');
    expect(await run.exit).toBe(130);
    expect(fs.existsSync(file)).toBe(true);
    expect(run.output()).toContain('(no answer: not done)');
    expect(run.output()).toMatch(/stopped: stopped by the user/);
    expect(fixture.server.requests).toHaveLength(1);
  });
});

describe.concurrent('omnipalm run: without a terminal', { timeout: SLOW_HOST_MS }, () => {
  it('--non-interactive --json denies the delete without asking, as the policy', async ({
    expect,
  }) => {
    const fixture = await fixtureFor([DELETE_OLD_LOGS, { text: 'I could not delete them.' }]);
    const file = fixture.file('logs/a.log', 'a', OLD);
    const result = await runPiped(fixture, ['--non-interactive', '--json', PROMPT]);
    expect(result.code, result.stderr).toBe(3);
    expect(fs.existsSync(file)).toBe(true);
    expect(result.stderr).not.toContain('stdin is not a terminal');
    // Not asked: no question, no answer line (the progress line still names the plan).
    expect(result.stderr).not.toContain('⚠️');
    expect(result.stderr).not.toContain('[Y]es');
    const outcome = JSON.parse(result.stdout) as {
      status: string;
      exitCode: number;
      refused: { tool: string; by: string; reason: string }[];
    };
    expect(outcome.status).toBe('denied');
    expect(outcome.exitCode).toBe(3);
    expect(outcome.refused).toHaveLength(1);
    expect(outcome.refused[0]).toMatchObject({ tool: 'fs.delete', by: 'policy' });
    expect(outcome.refused[0]?.reason).toContain('nothing can show one');
    const [sent] = toolResultsSent(fixture, 1);
    expect(sent?.is_error).toBe(true);
    expect(linesOf(fixture, /\[confirmation\]/)).toEqual([]);
    expect(linesOf(fixture, /\[policy\] fs\.delete .*decision="deny"/)).toHaveLength(1);
  });

  it('piped stdin without the flag: the same denial, with a note that stdin is not a terminal', async ({
    expect,
  }) => {
    const fixture = await fixtureFor([DELETE_OLD_LOGS, { text: 'I could not delete them.' }]);
    const file = fixture.file('logs/a.log', 'a', OLD);
    const result = await runPiped(fixture, [PROMPT]);
    expect(result.code, result.stderr).toBe(3);
    expect(fs.existsSync(file)).toBe(true);
    expect(result.stderr).toContain('stdin is not a terminal');
    expect(result.stderr).toMatch(
      /refused: fs\.delete \(needs confirmation, and nothing can show one/,
    );
    expect(result.stdout).toContain('I could not delete them.');
  });

  it('--json prints exactly one JSON line and no streamed text; without it the text streams to stdout', async ({
    expect,
  }) => {
    const answer = 'The notes say to water the plants on Tuesdays.';
    const fixture = await fixtureFor([{ text: answer }, { text: answer }]);
    const json = await runPiped(fixture, ['--non-interactive', '--json', 'what do the notes say?']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.endsWith('\n')).toBe(true);
    expect(json.stdout.trimEnd().split('\n')).toHaveLength(1);
    const outcome = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(outcome).toMatchObject({
      status: 'done',
      text: answer,
      exitCode: 0,
      refused: [],
      iterations: 1,
    });
    expect(outcome.taskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof outcome.costUsd).toBe('number');

    const plain = await runPiped(fixture, ['--non-interactive', 'what do the notes say?']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(`${answer}\n`);
    expect(plain.stderr).toMatch(/done \(1 step, \$\d+\.\d{4}\)/);
    expect(plain.stderr).not.toContain(answer);
  });

  it('usage errors exit 2 with one line naming the fix; --help lists the exit codes', async ({
    expect,
  }) => {
    const fixture = await fixtureFor([]);
    const [bare, help, keyless, outside] = await Promise.all([
      runPiped(fixture, []),
      runPiped(fixture, ['--help']),
      (() => {
        // No key anywhere: not in the env (runCli drops the OMNIPALM_* this process has), and
        // a session bus that does not exist, so the keychain probe fails at once on any host.
        const env: NodeJS.ProcessEnv = {
          ...fixture.env,
          DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/omnipalm-test-bus',
        };
        delete env.OMNIPALM_LLM_API_KEY;
        return runPiped({ ...fixture, env }, ['--non-interactive', 'hello']);
      })(),
      runPiped(fixture, ['--cwd', fixture.userHome, 'hello']),
    ]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr.trimEnd().split('\n')).toEqual([
      'omnipalm: run: say what to do, e.g. omnipalm run "Summarize ~/projects/notes.md"',
    ]);

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    for (const code of [
      '0 done',
      '1 error',
      '2 bad usage',
      '3 an action was denied',
      '10 agent.max_iterations',
      '11 agent.timeout',
      '12 security.stop_on_error_count',
      '13 security.stop_on_cost_limit',
      '130 stopped by Ctrl-C',
    ]) {
      expect(help.stdout).toContain(code);
    }

    expect(keyless.code, keyless.stderr).toBe(2);
    const errors = keyless.stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^omnipalm: run: no model API key is set: .*omnipalm keys set llm_api_key/,
    );
    // A working folder the user names must be allowed: no silent fallback to another one.
    expect(outside.code).toBe(2);
    expect(outside.stderr.trimEnd().split('\n')).toEqual([
      `omnipalm: run: ${fixture.userHome} is not inside security.allowed_paths (${fixture.work}); pick a folder inside one, or add it with omnipalm config set security.allowed_paths`,
    ]);
    expect(fixture.server.requests).toEqual([]);
  });
});
