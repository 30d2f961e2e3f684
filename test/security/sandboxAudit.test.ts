// The audit trace end to end: `omnipalm run` through the real CLI in a terminal, the scripted
// model asking for shell commands the policy cannot see through (a script it writes first),
// which the user approves: the case the sandbox exists for. (Spelled plainly, the policy
// denies them before the sandbox is reached, so they cannot run non-interactively.)
// Each attempt must leave one `[error] shell.exec "sandbox blocked …"` line with its kind,
// the blocked read an `[alert] monitor.blocked_path`, and the secret must appear nowhere.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../support/scriptedModelServer.js';
import { makeRunFixture, runInTerminal, type RunFixture } from '../integration/agent/runFixture.js';
import { toolResultsOf } from '../integration/agent/scenarioHelpers.js';
import { startLoopbackServer, type LoopbackServer } from './sandboxFixture.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const SECRET = `audit-secret-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
const SERVER_BODY = 'loopback-server-answered';
const QUESTION = /\[Y\]es \/ \[N\]o[^\n]*: $/;

function shell(command: string): ScriptedReply {
  return { text: 'Trying.', toolUses: [{ name: 'shell_exec', input: { command } }] };
}

/** The command run from a script the command writes first: the policy sees no paths in it. */
function viaScript(command: string): string {
  return `echo ${Buffer.from(command).toString('base64')} | base64 -d > step.sh && bash step.sh`;
}

describe('omnipalm run with the sandbox required', { timeout: 60_000 }, () => {
  let fixture: RunFixture;
  let server: LoopbackServer;

  it('every escape fails and leaves its trace in the audit log; the secret stays in', async () => {
    server = await startLoopbackServer(SERVER_BODY);
    closers.push(() => server.close());
    // Paths relative to the work folder the run starts in: the script is fixed before the
    // fixture (and its temp folder) exists.
    fixture = await makeRunFixture(
      [
        shell(viaScript('ln -s secret/key.txt peek && cat peek')),
        shell(viaScript('echo planted > ../outside/planted.txt')),
        shell(`curl -sS --max-time 5 http://127.0.0.1:${server.port}/`),
        shell('unshare -r true'),
        { text: 'Done trying.' },
      ],
      () => ({ security: { sandbox: 'required', confirm_operations: ['delete'] } }),
    );
    closers.push(() => fixture.close());
    const secretFile = fixture.file('secret/key.txt', `${SECRET}\n`);
    const outsideTarget = path.join(path.dirname(fixture.work), 'outside', 'planted.txt');
    fs.mkdirSync(path.dirname(outsideTarget));

    // The policy cannot see into a script, so it asks; the user says yes (a plausible
    // mistake): from there on only the sandbox stands between the command and the files.
    const run = runInTerminal(fixture, ['look around']);
    closers.push(async () => run.kill());
    // Every question gets a yes until it exits: the two scripts, then — once command output
    // tainted the task — curl (network) and unshare (a program not known to stay local).
    let asked = 0;
    for (;;) {
      const mark = run.output().length;
      const next = await Promise.race([
        run.exit.then(() => 'exited' as const),
        run.waitFor(QUESTION, mark).then(
          () => 'asked' as const,
          () => 'exited' as const,
        ),
      ]);
      if (next === 'exited') break;
      asked += 1;
      run.type('y\r');
    }
    expect(asked).toBe(4);
    expect(await run.exit, run.output()).toBe(0);
    const output = run.output();
    expect(output).toMatch(/done \(5 steps/);
    expect(fixture.server.requests).toHaveLength(5);
    expect(fs.existsSync(outsideTarget)).toBe(false);
    expect(server.connections()).toBe(0);

    const lines = fixture.auditLines();
    const blocked = lines.filter((line) => /\[error\] shell\.exec "sandbox blocked /.test(line));
    const kinds = blocked.map((line) => /sandbox_violation="(\w+)"/.exec(line)?.[1]);
    expect(kinds, lines.join('\n')).toEqual(['read', 'write', 'network', 'escape']);
    expect(blocked[0]).toContain(`path="${secretFile}"`);
    expect(blocked[1]).toContain(`path="${outsideTarget}"`);
    const alerts = lines.filter((line) => /\[alert\] monitor\.blocked_path/.test(line));
    expect(alerts.length, lines.join('\n')).toBeGreaterThanOrEqual(1);
    expect(alerts[0]).toContain(secretFile);

    // The model is told what the sandbox stopped, so it stops trying.
    const results = toolResultsOf(fixture.server.requests[4]!);
    expect(results).toHaveLength(4);
    expect(results[0]).toMatch(/read .*blocked by the sandbox/);

    for (const text of [
      output,
      lines.join('\n'),
      ...fixture.server.requests.map((request) => request.body),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SERVER_BODY);
    }
  });
});
