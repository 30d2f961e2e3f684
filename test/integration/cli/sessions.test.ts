// `omnipalm sessions list|show|rename|delete` and `omnipalm run --continue | --session` through
// the real CLI: two turns run against the scripted model, then read, searched, renamed and
// deleted; every mistake (an unknown id, one of another OMNIPALM_HOME, a malformed id, an
// empty prompt or title, a delete nobody can confirm) exits 2 with its fix and changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sessions } from '../../../src-main/agent/sessions.js';
import { timelineDatabaseFile } from '../../../src-main/store/timelineStore.js';
import { runCli } from '../../support/runCli.js';
import { makeTempHome } from '../../support/tempFolders.js';
import { makeRunFixture, runPiped, type RunFixture } from '../agent/runFixture.js';
import { outcomeOf } from '../agent/scenarioHelpers.js';

interface ListedSession {
  id: string;
  title: string;
  turnCount: number;
  costUsd: number;
  untrustedSources: string[];
}

const FIRST = 'read my notes and summarize them';
const SECOND = 'now say it as a table';
const ANSWER = '## Summary\nThe notes say **hello**.';
let fixture: RunFixture;
let sessionId: string;

const sessions = (args: string[], home = fixture.home) =>
  runCli(['sessions', ...args], { home, env: fixture.env });

function listed(stdout: string): ListedSession[] {
  return (JSON.parse(stdout) as { sessions: ListedSession[] }).sessions;
}

/** The messages the model got in request #index. */
function sentMessages(index: number): { role: string; content: unknown }[] {
  return (JSON.parse(fixture.server.requests[index]!.body) as { messages: [] }).messages;
}

beforeAll(async () => {
  fixture = await makeRunFixture([
    { text: 'Reading.', toolUses: [{ name: 'fs_read', input: { path: 'notes.txt' } }] },
    { text: ANSWER },
    { text: '| word | count |\n|---|---|\n| hello | 1 |' },
  ]);
  fixture.file('notes.txt', 'hello\n');
  const first = await runPiped(fixture, ['--non-interactive', FIRST]);
  expect(first.code, first.stderr).toBe(0);
  // The hint names the session and how to go on (on stderr: stdout keeps only the answer).
  const hint =
    /session ([0-9a-f]{32}) \(turn 1, \$[\d.]+ so far\) — continue with: omnipalm run --continue "…"/;
  expect(first.stderr).toMatch(hint);
  sessionId = hint.exec(first.stderr)![1]!;
  const second = await runPiped(fixture, ['--non-interactive', '--json', '--continue', SECOND]);
  const outcome = outcomeOf(second) as ReturnType<typeof outcomeOf> & {
    sessionId: string;
    turnSeq: number;
    sessionCostUsd: number;
  };
  expect(second.code, second.stderr).toBe(0);
  expect(outcome).toMatchObject({ sessionId, turnSeq: 2 });
  expect(outcome.sessionCostUsd).toBeGreaterThan(outcome.costUsd);
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

describe('omnipalm run --continue', () => {
  it('sends the earlier turn (prompt, tool call, result, answer) before the follow-up', () => {
    expect(fixture.server.requests).toHaveLength(3);
    const messages = sentMessages(2);
    const text = JSON.stringify(messages);
    expect(messages[0]).toEqual({ role: 'user', content: FIRST });
    expect(text).toContain('fs_read');
    expect(text).toContain('The notes say **hello**.');
    expect(messages.at(-1)).toEqual({ role: 'user', content: SECOND });
  });

  it('refuses --continue in a home without sessions, and an empty prompt, before any request', async () => {
    const empty = await runCli(['run', '--continue', 'go on'], {
      home: makeTempHome(),
      env: fixture.env,
    });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(
      'omnipalm: run: --continue: there is no session to continue in this OMNIPALM_HOME yet; start one with omnipalm run "…" (without --continue)\n',
    );
    const blank = await runPiped(fixture, ['--continue', '   ']);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/^omnipalm: run: say what to do, e\.g\. omnipalm run "/);
    const both = await runPiped(fixture, ['--continue', '--session', sessionId, 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('pass one of them');
    expect(fixture.server.requests).toHaveLength(3);
  });
});

describe('omnipalm sessions', () => {
  it('lists the session with its turns and cost, as JSON and as a table', async () => {
    const json = await sessions(['list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const [session, ...others] = listed(json.stdout);
    expect(others).toEqual([]);
    expect(session).toMatchObject({ id: sessionId, title: FIRST, turnCount: 2 });
    expect(session!.costUsd).toBeGreaterThan(0);

    const table = await sessions(['list']);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +LAST ACTIVE +TURNS +COST +TITLE$/);
    // notes.txt is outside security.trusted_paths: the session carries its badge.
    const notes = fs.realpathSync(path.join(fixture.work, 'notes.txt'));
    expect(row).toMatch(/^[0-9a-f]{32} {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}2 {6}\$0\.\d{4} {4}/);
    expect(row!.startsWith(sessionId)).toBe(true);
    expect(row!.endsWith(`  ${FIRST}  ⚠ untrusted: fs.read ${notes}`)).toBe(true);
  });

  it('searches titles and every turn prompt', async () => {
    const bySecondPrompt = await sessions(['list', '--json', '--search', 'AS A TABLE']);
    expect(listed(bySecondPrompt.stdout).map((s) => s.id)).toEqual([sessionId]);
    const none = await sessions(['list', '--search', 'no such words']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no session matches "no such words"\n');
  });

  it('shows the transcript: prompts, the tool call with its status, answers rendered', async () => {
    const shown = await sessions(['show', sessionId]);
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toBe(FIRST);
    expect(lines).toContain(`› ${FIRST}`);
    expect(lines).toContain(`› ${SECOND}`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}✓ fs\.read \{"path":"notes\.txt"\} {2}\(ok\)$/),
    );
    // Markdown rendered (not a terminal here, so no colors), the table aligned.
    expect(lines).toContain('Summary');
    expect(lines).toContain('The notes say hello.');
    expect(lines).toContain('  word  │ count');
    expect(shown.stdout).not.toContain('**');
    expect(lines.filter((line) => /^── turn \d · done · \$/.test(line))).toHaveLength(2);

    const json = await sessions(['show', sessionId, '--json']);
    const { session, turns } = JSON.parse(json.stdout) as {
      session: { id: string; turnCount: number };
      turns: { seq: number; prompt: string; status: string; messages: unknown[] }[];
    };
    expect(session).toMatchObject({ id: sessionId, turnCount: 2 });
    expect(turns.map((turn) => [turn.seq, turn.prompt, turn.status])).toEqual([
      [1, FIRST, 'done'],
      [2, SECOND, 'done'],
    ]);
    expect(turns[0]!.messages).toHaveLength(4);
  });

  it('renames, and refuses an empty title or one with control characters', async () => {
    const renamed = await sessions(['rename', sessionId, 'Notes', 'summary']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toBe(`renamed ${sessionId}: Notes summary\n`);

    const empty = await sessions(['rename', sessionId, '  ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('give the new title');
    const hostile = await sessions(['rename', sessionId, 'a\x1b[2Jb']);
    expect(hostile.code).toBe(2);
    expect(hostile.stderr).toMatch(/^omnipalm: sessions rename: .*control/);
    expect(hostile.stderr).not.toContain('\x1b');
    expect(listed((await sessions(['list', '--json'])).stdout)[0]!.title).toBe('Notes summary');
  });

  it('exits 2 with the fix for a malformed id, an unknown one and one of another OMNIPALM_HOME', async () => {
    const malformed = await sessions(['show', 'abc']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe(
      'omnipalm: sessions show: "abc" is not a session id (32 hex characters); see omnipalm sessions list for the ids\n',
    );
    const unknown = await sessions(['show', '0'.repeat(32)]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^omnipalm: sessions show: session "0{32}": no such session in this OMNIPALM_HOME .*omnipalm sessions list/,
    );

    // Another home with a session of its own: this home's id means nothing there.
    const otherHome = makeTempHome();
    const other = Sessions.open(otherHome);
    const theirs = other.store.createSession('their prompt').id;
    other.close();
    for (const args of [
      ['show', sessionId],
      ['rename', sessionId, 'x'],
      ['delete', sessionId, '--yes'],
    ]) {
      const result = await sessions(args, otherHome);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('belong to another OMNIPALM_HOME');
    }
    const run = await runCli(['run', '--session', sessionId, 'go on'], {
      home: otherHome,
      env: fixture.env,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^omnipalm: run: session "[0-9a-f]{32}": no such session/);
    expect(fixture.server.requests).toHaveLength(3);
    // Nothing changed there, nor here.
    const still = Sessions.open(otherHome);
    expect(still.list().sessions.map((s) => s.id)).toEqual([theirs]);
    still.close();
    expect(listed((await sessions(['list', '--json'])).stdout)).toHaveLength(1);

    // A home that has no database yet gets none from a read.
    const fresh = makeTempHome();
    fs.mkdirSync(fresh, { recursive: true });
    expect((await sessions(['show', sessionId], fresh)).code).toBe(2);
    expect((await sessions(['list'], fresh)).stdout).toMatch(/^no sessions yet/);
    expect(fs.existsSync(timelineDatabaseFile(fresh))).toBe(false);
  });

  it('answers an unknown subcommand with exit 2', async () => {
    const result = await sessions(['purge']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected list, show, rename or delete');
  });

  it('deletes only when confirmed: no terminal and no --yes exits 2; --yes deletes and says the audit log keeps its lines', async () => {
    const unconfirmed = await sessions(['delete', sessionId]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toBe(
      `omnipalm: sessions delete: stdin is not a terminal, so nobody can confirm; pass --yes to delete session ${sessionId} without asking\n`,
    );
    expect(listed((await sessions(['list', '--json'])).stdout)).toHaveLength(1);

    const auditBefore = fixture.auditLines().filter((line) => line.includes(sessionId)).length;
    const deleted = await sessions(['delete', sessionId, '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(
      new RegExp(`^deleted session ${sessionId}: .*audit log is append-only and keeps the lines`),
    );
    expect(listed((await sessions(['list', '--json'])).stdout)).toEqual([]);
    expect((await sessions(['show', sessionId])).code).toBe(2);
    // The audit log still has the turns' lines.
    expect(fixture.auditLines().filter((line) => line.includes(sessionId)).length).toBe(
      auditBefore,
    );
    expect(path.isAbsolute(fixture.home)).toBe(true);
  });
});
