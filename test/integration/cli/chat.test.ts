// `omnipalm chat` through a real pseudo-terminal (node-pty) against the scripted model: a
// follow-up carries the earlier turn, a confirmation is answered inline, Ctrl-C stops a slow
// turn and the chat goes on, /new starts without the old context, /cost, /exit, Ctrl-D and
// Ctrl-C twice quit; and line by line from a pipe.
import fs from 'node:fs';
import { afterAll, describe, it, vi } from 'vitest';
import { Sessions } from '../../../src-main/agent/sessions.js';
import { runCli } from '../../support/runCli.js';
import type { ScriptedReply } from '../../support/scriptedModelServer.js';
import {
  makeRunFixture,
  runInTerminal,
  type PtyRun,
  type RunFixture,
} from '../agent/runFixture.js';

const fixtures: RunFixture[] = [];
const terminals: PtyRun[] = [];
afterAll(async () => {
  for (const terminal of terminals.splice(0)) terminal.kill();
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

/** Each test starts a CLI process or two (~1.5 s of CPU each) on a shared machine. */
const SLOW_HOST_MS = 60_000;
/** The chat's prompt, waiting for input. */
const PROMPT = /› $/;

async function chatIn(
  script: ScriptedReply[],
  args: string[] = [],
): Promise<{ fixture: RunFixture; chat: PtyRun }> {
  const fixture = await makeRunFixture(script);
  fixtures.push(fixture);
  const chat = runInTerminal(fixture, args, 'chat');
  terminals.push(chat);
  await chat.waitFor(PROMPT);
  return { fixture, chat };
}

/** Types a line and resolves with the output it caused, once the prompt is back. */
async function send(chat: PtyRun, line: string): Promise<string> {
  const mark = chat.output().length;
  chat.type(`${line}\r`);
  return (
    await chat.waitFor(new RegExp(`${line.length > 0 ? '\\n' : ''}[\\s\\S]*› $`), mark)
  ).slice(mark);
}

interface SentMessage {
  role: string;
  content: unknown;
}
function sentMessages(fixture: RunFixture, index: number): SentMessage[] {
  const request = fixture.server.requests[index];
  if (!request) throw new Error(`the model got no request #${index}`);
  return (JSON.parse(request.body) as { messages: SentMessage[] }).messages;
}

function sessionsOf(fixture: RunFixture) {
  const sessions = Sessions.open(fixture.home);
  try {
    return sessions.list().sessions.map((session) => ({
      ...session,
      turns: sessions.turns(session.id).turns,
    }));
  } finally {
    sessions.close();
  }
}

describe.concurrent('omnipalm chat in a terminal', { timeout: SLOW_HOST_MS }, () => {
  it('holds a conversation: the follow-up carries the first turn, answers are rendered, /cost and /exit', async ({
    expect,
  }) => {
    const { fixture, chat } = await chatIn([
      { text: 'Hello **there**, I am ready.\n\n- one\n- two' },
      { text: 'You said `hi`.' },
    ]);
    expect(chat.output()).toContain('your first prompt starts a new session');

    const first = await send(chat, 'hi');
    expect(first).toContain('Hello there, I am ready.');
    expect(first).toContain('• one');
    expect(first).not.toContain('**');
    expect(first).toMatch(/done \(1 step, \$\d\.\d{4}\) · session \$\d\.\d{4}/);

    const second = await send(chat, 'what did I say?');
    expect(second).toContain('You said hi.');
    const messages = sentMessages(fixture, 1);
    expect(messages[0]).toEqual({ role: 'user', content: 'hi' });
    expect(JSON.stringify(messages[1])).toContain('Hello **there**, I am ready.');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'what did I say?' });

    const [session] = sessionsOf(fixture);
    const cost = await send(chat, '/cost');
    expect(cost).toMatch(
      new RegExp(
        `session ${session!.id}: \\$\\d\\.\\d{4} of \\$10\\.0000 \\(security\\.stop_on_cost_limit`,
      ),
    );
    const listed = await send(chat, '/sessions');
    expect(listed).toMatch(new RegExp(`\\* ${session!.id} .* hi`));

    chat.type('/exit\r');
    expect(await chat.exit).toBe(0);
    expect(sessionsOf(fixture).map((s) => s.turns.map((turn) => turn.status))).toEqual([
      ['done', 'done'],
    ]);
  });

  it('asks a confirmation inline, as omnipalm run does, and acts on the yes; Ctrl-D quits', async ({
    expect,
  }) => {
    const { fixture, chat } = await chatIn([
      {
        text: 'Deleting the old logs.',
        toolUses: [{ name: 'fs_delete', input: { paths: ['**/*.log'], olderThanDays: 30 } }],
      },
      { text: 'Deleted 1 old log file.' },
    ]);
    const old = fixture.file('logs/a.log', 'a', 90);

    const mark = chat.output().length;
    chat.type('delete the old logs\r');
    const question = (await chat.waitFor(/\[Y\]es \/ \[N\]o \/ \[L\]ist files: $/, mark)).slice(
      mark,
    );
    expect(question).toContain('⚠️  This will delete 1 file. Proceed?');
    expect(fs.existsSync(old)).toBe(true);
    const after = await send(chat, 'y');
    expect(after).toContain('Deleted 1 old log file.');
    expect(fs.existsSync(old)).toBe(false);

    chat.type('\x04');
    expect(await chat.exit).toBe(0);
  });

  it('Ctrl-C stops a slow turn and the chat goes on', async ({ expect }) => {
    const { fixture, chat } = await chatIn([
      { text: 'Too late.', delayMs: 30_000 },
      { text: 'Quick answer.' },
    ]);
    const mark = chat.output().length;
    chat.type('think for a long time\r');
    await vi.waitFor(() => expect(fixture.server.requests).toHaveLength(1), { timeout: 20_000 });
    chat.type('\x03');
    const stopped = (await chat.waitFor(/stopped: stopped by the user[\s\S]*› $/, mark)).slice(
      mark,
    );
    expect(stopped).toContain('stopping the turn');
    expect(stopped).not.toContain('Too late.');

    const next = await send(chat, 'and now?');
    expect(next).toContain('Quick answer.');
    // The stopped turn stays in the session, and the follow-up still carries its prompt.
    expect(JSON.stringify(sentMessages(fixture, 1))).toContain('think for a long time');
    expect(sessionsOf(fixture)[0]!.turns.map((turn) => turn.status)).toEqual(['stopped', 'done']);

    chat.type('/exit\r');
    expect(await chat.exit).toBe(0);
  });

  it('/new starts a session without the old context; Ctrl-C twice at an empty prompt quits', async ({
    expect,
  }) => {
    const { fixture, chat } = await chatIn([{ text: 'Noted: 42.' }, { text: 'What number?' }]);
    expect(await send(chat, 'remember the number 42')).toContain('Noted: 42.');
    expect(await send(chat, '/new')).toContain('new session');
    expect(await send(chat, 'which number did I say?')).toContain('What number?');

    expect(sentMessages(fixture, 1)).toEqual([
      { role: 'user', content: 'which number did I say?' },
    ]);
    const sessions = sessionsOf(fixture);
    expect(sessions.map((session) => session.turns.map((turn) => turn.prompt))).toEqual([
      ['which number did I say?'],
      ['remember the number 42'],
    ]);

    const mark = chat.output().length;
    chat.type('\x03');
    await chat.waitFor(/press Ctrl-C again to quit/, mark);
    chat.type('\x03');
    expect(await chat.exit).toBe(0);
  });

  it('continues a session given by --session, and exits 2 for an unknown one', async ({
    expect,
  }) => {
    const { fixture, chat } = await chatIn([{ text: 'First.' }, { text: 'Second.' }]);
    await send(chat, 'one');
    chat.type('/exit\r');
    await chat.exit;
    const [session] = sessionsOf(fixture);

    const again = runInTerminal(fixture, ['--session', session!.id], 'chat');
    terminals.push(again);
    await again.waitFor(PROMPT);
    expect(again.output()).toContain(`continuing session ${session!.id} "one" (1 turns`);
    expect(await send(again, 'two')).toContain('Second.');
    expect(JSON.stringify(sentMessages(fixture, 1))).toContain('First.');
    again.type('/exit\r');
    expect(await again.exit).toBe(0);

    const unknown = await runCli(['chat', '--session', 'f'.repeat(32)], {
      home: fixture.home,
      env: fixture.env,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^omnipalm: chat: session "f{32}": no such session in this OMNIPALM_HOME/,
    );
  });

  it('reads prompts line by line from a pipe, one turn each, in one session', async ({
    expect,
  }) => {
    const fixture = await makeRunFixture([{ text: 'A.' }, { text: 'B.' }]);
    fixtures.push(fixture);
    const result = await runCli(['chat'], {
      home: fixture.home,
      env: fixture.env,
      input: 'first\n\nsecond\n/exit\nnever sent\n',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('A.\nB.\n');
    expect(result.stderr).toContain('stdin is not a terminal');
    expect(fixture.server.requests).toHaveLength(2);
    expect(sentMessages(fixture, 1).at(-1)).toEqual({ role: 'user', content: 'second' });
    expect(sessionsOf(fixture)).toHaveLength(1);
  });
});
