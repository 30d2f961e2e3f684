// `omnipalm sessions list|show|rename|delete`: the conversations kept in $OMNIPALM_HOME, read
// and changed through a connection of their own (Sessions.open) — never the whole agent core,
// which would read the config, the keychain and start the audit log just to print a list.
//
// Every title, prompt, source and answer is printed through safeTerminalText: a title cannot
// hold control characters (the store refuses them), but a prompt, an answer or a file name
// read by a tool can, and printed raw it could rewrite the terminal.
import fs from 'node:fs';
import readline from 'node:readline';
import { AgentError } from '../agent/agentErrors.js';
import type { Sessions } from '../agent/sessions.js';
import type { Session, SessionSummary, Turn } from '../store/sessionStore.js';
import { type CliIO, EXIT_OK, parseCommandArgs, UsageError } from './cliSupport.js';
import { renderMarkdown, safeTerminalText, wantsColor } from './terminalMarkdown.js';
import { toolCallsOf, turnAnswerParts } from '../agent/transcript.js';

export const SESSIONS_HELP = `Usage: omnipalm sessions <list|show|rename|delete> [options]

The conversations of \`omnipalm chat\`, \`omnipalm run\` and the window, newest first.

  sessions list [--search TEXT] [--limit N] [--json]   id, last activity, turns, cost, title
  sessions show ID [--json]                            the transcript: prompts, tool calls, answers
  sessions rename ID TITLE                             a title of your own (200 characters at most)
  sessions delete ID [--yes]                           asks first on a terminal; --yes without one

A session marked "untrusted" read content from outside (a document, a page, mail): its later
turns still ask before anything that can send data out. Continue one with
omnipalm run --session ID "…" or omnipalm chat --session ID. Deleting a session removes its
stored messages; the audit log is append-only and keeps its lines.`;

/** What `sessions delete` asks on. */
export interface SessionsStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

const SESSION_ID = /^[0-9a-f]{32}$/;

/** A session id as typed: refused with the fix before any database is opened. */
export function checkSessionId(command: string, id: string | undefined): string {
  if (id === undefined || id === '') {
    throw new UsageError(`${command}: which session? (see omnipalm sessions list for the ids)`);
  }
  if (!SESSION_ID.test(id)) {
    throw new UsageError(
      `${command}: ${JSON.stringify(safeTerminalText(id))} is not a session id (32 hex characters); see omnipalm sessions list for the ids`,
    );
  }
  return id;
}

/** A refusal of the sessions store as the one line and exit 2 of bad input. */
export function sessionUsageError(command: string, error: unknown): unknown {
  return error instanceof AgentError &&
    ['session_not_found', 'session_busy', 'invalid_session_request'].includes(error.kind)
    ? new UsageError(`${command}: ${error.message}`)
    : error;
}

export function formatCost(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

function formatTime(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "untrusted: fs.read /x/inbox.txt, …" for a session that read outside content. */
export function untrustedBadge(sources: readonly string[]): string {
  if (sources.length === 0) return '';
  const shown = sources.slice(0, 2).map(safeTerminalText).join(', ');
  const more = sources.length > 2 ? ` (+${sources.length - 2} more)` : '';
  return `⚠ untrusted: ${shown}${more}`;
}

/**
 * The line that says a session carries untrusted content, and how to start clean — or ''.
 * `fix`: how this front door starts a new session.
 */
export function untrustedNotice(sources: readonly string[], fix: string): string {
  if (sources.length === 0) return '';
  const shown = sources.slice(0, 3).map(safeTerminalText).join(', ');
  const more = sources.length > 3 ? ` (+${sources.length - 3} more)` : '';
  return `this session read untrusted content: ${shown}${more} — actions that send data out will ask; ${fix}`;
}

/** The rows of a session list, as `sessions list` and chat's /sessions print them. */
export function formatSessionList(
  sessions: readonly (SessionSummary & { turnCount?: number })[],
): string[] {
  if (sessions.length === 0) return [];
  const header = `${'ID'.padEnd(32)}  ${'LAST ACTIVE'.padEnd(16)}  TURNS  ${'COST'.padEnd(9)}  TITLE`;
  return [
    header,
    ...sessions.map((session) => {
      const badge = untrustedBadge(session.untrustedSources);
      return [
        session.id,
        formatTime(session.updatedAt),
        String(session.turnCount ?? '').padEnd(5),
        formatCost(session.costUsd).padEnd(9),
        `${safeTerminalText(session.title)}${badge ? `  ${badge}` : ''}`,
      ].join('  ');
    }),
  ];
}

const TURN_PAGE = 200;

/** Every turn, oldest first. */
function allTurns(sessions: Sessions, id: string): Turn[] {
  const pages: Turn[][] = [];
  let before: number | undefined;
  do {
    const page = sessions.turns(id, before, TURN_PAGE);
    pages.unshift(page.turns);
    before = page.nextBeforeSeq;
  } while (before !== undefined);
  return pages.flat();
}

/** A transcript for the terminal: the prompt, each tool call with its status, the answer. */
export function formatTranscript(session: Session, turns: readonly Turn[], color: boolean): string {
  const lines = [
    safeTerminalText(session.title),
    `session ${session.id} · ${session.turnCount} turn${session.turnCount === 1 ? '' : 's'} · ${formatCost(session.costUsd)} · last active ${formatTime(session.updatedAt)}`,
  ];
  const badge = untrustedBadge(session.untrustedSources);
  if (badge) lines.push(`${badge} — actions that send data out ask first in this session`);
  for (const turn of turns) {
    lines.push('');
    lines.push(
      `── turn ${turn.seq} · ${turn.status} · ${formatCost(turn.costUsd)} · ${formatTime(turn.startedAt)} ──`,
    );
    lines.push(`› ${safeTerminalText(turn.prompt).replace(/\n/g, '\n  ')}`);
    const calls = toolCallsOf(turn.messages);
    for (const part of turnAnswerParts(turn.messages)) {
      if (part.kind === 'text') {
        const text = renderMarkdown(part.text, { color });
        if (text.trim() !== '') lines.push(text);
      } else {
        const call = calls.get(part.id);
        if (!call) continue;
        const mark = call.status === 'ok' ? '✓' : call.status === 'no result' ? '·' : '✗';
        const why = call.detail ? `: ${safeTerminalText(call.detail)}` : '';
        lines.push(
          `  ${mark} ${safeTerminalText(call.tool)} ${safeTerminalText(call.input)}  (${call.status}${why})`,
        );
      }
    }
  }
  return lines.join('\n');
}

async function confirmDelete(streams: SessionsStreams, session: Session): Promise<boolean> {
  const rl = readline.createInterface({ input: streams.stdin, output: streams.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(
        `Delete session ${session.id} "${safeTerminalText(session.title)}" (${session.turnCount} turns)? [y/N] `,
        resolve,
      );
      rl.on('close', () => resolve(''));
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * The sessions of `home`, or undefined when it has no database yet: reading must not create
 * one (an unknown id in a fresh home changes nothing).
 */
async function openSessions(home: string): Promise<Sessions | undefined> {
  const { timelineDatabaseFile } = await import('../store/timelineStore.js');
  if (!fs.existsSync(timelineDatabaseFile(home))) return undefined;
  const { Sessions } = await import('../agent/sessions.js');
  return Sessions.open(home);
}

function notFound(id: string): AgentError {
  return new AgentError(
    'session_not_found',
    `session ${JSON.stringify(id)}: no such session in this OMNIPALM_HOME (it may have been deleted, or belong to another OMNIPALM_HOME); run \`omnipalm sessions list\` to see the sessions there are`,
  );
}

export async function runSessionsCommand(
  args: string[],
  io: CliIO,
  home: string,
  streams: SessionsStreams = process,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(SESSIONS_HELP);
    return EXIT_OK;
  }
  const command = `sessions ${sub}`;
  const color = wantsColor(streams.stdout, io.env);
  switch (sub) {
    case 'list': {
      const { values } = parseCommandArgs(
        command,
        rest,
        {
          json: { type: 'boolean' },
          search: { type: 'string' },
          limit: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        0,
      );
      if (values.help) return help(io);
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
        throw new UsageError(
          `${command}: --limit must be a whole number 1–200, got ${values.limit}`,
        );
      }
      const sessions = await openSessions(home);
      let page: { sessions: (SessionSummary & { turnCount: number })[]; nextCursor?: string };
      try {
        const found = sessions?.list({ limit, ...(values.search ? { text: values.search } : {}) });
        page = {
          ...found,
          sessions: (found?.sessions ?? []).map((session) => ({
            ...session,
            turnCount: sessions!.get(session.id).turnCount,
          })),
        };
      } catch (error) {
        throw sessionUsageError(command, error);
      } finally {
        sessions?.close();
      }
      if (values.json) {
        io.stdout(JSON.stringify(page));
        return EXIT_OK;
      }
      if (page.sessions.length === 0) {
        io.stdout(
          values.search
            ? `no session matches ${JSON.stringify(safeTerminalText(values.search))}`
            : 'no sessions yet: start one with omnipalm chat, or omnipalm run "…"',
        );
        return EXIT_OK;
      }
      io.stdout(formatSessionList(page.sessions).join('\n'));
      if (page.nextCursor) io.stdout(`(more: raise --limit, up to 200)`);
      return EXIT_OK;
    }
    case 'show': {
      const { values, positionals } = parseCommandArgs(
        command,
        rest,
        { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
        1,
      );
      if (values.help) return help(io);
      const id = checkSessionId(command, positionals[0]);
      const sessions = await openSessions(home);
      try {
        if (!sessions) throw notFound(id);
        const session = sessions.get(id);
        const turns = allTurns(sessions, id);
        io.stdout(
          values.json
            ? JSON.stringify({ session, turns })
            : formatTranscript(session, turns, color),
        );
        return EXIT_OK;
      } catch (error) {
        throw sessionUsageError(command, error);
      } finally {
        sessions?.close();
      }
    }
    case 'rename': {
      const { values, positionals } = parseCommandArgs(
        command,
        rest,
        { help: { type: 'boolean', short: 'h' } },
        Number.MAX_SAFE_INTEGER,
      );
      if (values.help) return help(io);
      const id = checkSessionId(command, positionals[0]);
      const title = positionals.slice(1).join(' ').trim();
      if (title === '') {
        throw new UsageError(
          `${command}: give the new title, e.g. omnipalm sessions rename ${id} "Old logs"`,
        );
      }
      const sessions = await openSessions(home);
      try {
        if (!sessions) throw notFound(id);
        const renamed = sessions.rename(id, title);
        io.stdout(`renamed ${id}: ${safeTerminalText(renamed.title)}`);
        return EXIT_OK;
      } catch (error) {
        throw sessionUsageError(command, error);
      } finally {
        sessions?.close();
      }
    }
    case 'delete': {
      const { values, positionals } = parseCommandArgs(
        command,
        rest,
        { yes: { type: 'boolean', short: 'y' }, help: { type: 'boolean', short: 'h' } },
        1,
      );
      if (values.help) return help(io);
      const id = checkSessionId(command, positionals[0]);
      const sessions = await openSessions(home);
      try {
        if (!sessions) throw notFound(id);
        // A turn whose process is gone (a crash) no longer blocks the delete.
        const { processIsAlive } = await import('../store/sessionStore.js');
        sessions.store.markInterrupted(processIsAlive);
        const session = sessions.get(id);
        if (values.yes !== true) {
          if (streams.stdin.isTTY !== true) {
            throw new UsageError(
              `${command}: stdin is not a terminal, so nobody can confirm; pass --yes to delete session ${id} without asking`,
            );
          }
          if (!(await confirmDelete(streams, session))) {
            io.stderr('not deleted');
            return EXIT_OK;
          }
        }
        const { note } = sessions.delete(id);
        io.stdout(`deleted session ${id}: ${note}`);
        return EXIT_OK;
      } catch (error) {
        throw sessionUsageError(command, error);
      } finally {
        sessions?.close();
      }
    }
    default:
      throw new UsageError(
        `unknown sessions command "${safeTerminalText(sub)}" (expected list, show, rename or delete; see omnipalm sessions --help)`,
      );
  }
}

function help(io: CliIO): number {
  io.stdout(SESSIONS_HELP);
  return EXIT_OK;
}
