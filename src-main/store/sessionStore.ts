// Conversations kept across restarts (issue 17): sessions, their turns, and each turn's model
// messages, in the same SQLite file as the timeline (migration 004).
//
// The contract with callers: every message is passed exactly as it is sent to the model and
// already redacted. The store keeps and returns it byte for byte and never looks inside, so it
// can neither leak a secret nor "fix" one into the next request: redaction happens once, before
// the model sees the text, and what the model saw is what a follow-up gets as context.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

export const TURN_STATUSES = [
  'running',
  'done',
  'denied',
  'stopped',
  'error',
  'interrupted',
] as const;
export type TurnStatus = (typeof TURN_STATUSES)[number];
/** How a turn can end; 'running' is only ever set by startTurn. */
export type FinishedTurnStatus = Exclude<TurnStatus, 'running'>;

export interface SessionMessage {
  role: 'user' | 'assistant';
  /** Any JSON value: the message's content exactly as sent to the model, already redacted. */
  content: unknown;
}

export interface SessionSummary {
  id: string;
  title: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  costUsd: number;
  /** Where untrusted content came from, first seen first: later turns still ask before egress. */
  untrustedSources: string[];
}

export interface Session extends SessionSummary {
  turnCount: number;
  /** The turn still running, if any: a new turn cannot start before it ends. */
  runningTurnId?: number;
}

export interface Turn {
  id: number;
  /** 1, 2, 3 … within the session. */
  seq: number;
  prompt: string;
  status: TurnStatus;
  startedAt: number;
  endedAt?: number;
  costUsd: number;
  /** The task id the turn ran as (its timeline events carry it); absent for old rows. */
  taskId?: string;
  messages: SessionMessage[];
}

export interface StartTurnOptions {
  /** The task id the turn runs as. */
  taskId?: string;
  /** The process running the turn (default: this one). */
  ownerPid?: number;
  /**
   * Whether a process is still alive: a running turn of a process that is gone was cut off
   * (a crash), and is marked interrupted instead of blocking the session.
   */
  isAlive?: (pid: number) => boolean;
}

export interface SessionListQuery {
  /** 1 to 200; 50 by default. */
  limit?: number;
  /** The nextCursor of the previous page. */
  cursor?: string;
  /** Case-insensitive; matches titles and the prompts of every turn. */
  text?: string;
}

export interface SessionListPage {
  sessions: SessionSummary[];
  nextCursor?: string;
}

export interface TurnsPage {
  /** Oldest first: the newest turn is last, as a transcript shows it. */
  turns: Turn[];
  /** Pass as beforeSeq for the page of older turns; absent on the first page. */
  nextBeforeSeq?: number;
}

export interface SessionStoreOptions {
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export const TITLE_FROM_PROMPT_LENGTH = 80;
export const MAX_TITLE_LENGTH = 200;
const MAX_PAGE = 200;
const DEFAULT_PAGE = 50;
const CONTAINS = 'session_text_contains';

/** An id or turn that is not in this OMNIPALM_HOME's database. */
export class UnknownSessionError extends Error {
  constructor(
    readonly what: 'session' | 'turn',
    readonly id: string | number,
  ) {
    super(
      `${what} ${JSON.stringify(id)}: no such ${what} in this OMNIPALM_HOME (it may have been ` +
        'deleted, or belong to another OMNIPALM_HOME); run `omnipalm sessions list` to see the ' +
        'sessions there are',
    );
    this.name = 'UnknownSessionError';
  }
}

/** A refused change: a second running turn, a finished turn written to, an invalid value. */
export class SessionStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionStateError';
  }
}

interface SessionRow {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  cost_usd: number;
  untrusted_sources: string;
}

interface TurnRow {
  id: number;
  session_id: string;
  seq: number;
  prompt: string;
  status: TurnStatus;
  started_at: number;
  ended_at: number | null;
  cost_usd: number;
  task_id: string | null;
  owner_pid: number | null;
}

interface MessageRow {
  role: 'user' | 'assistant';
  content: string;
}

const SESSION_COLUMNS = 'id, title, created_at, updated_at, cost_usd, untrusted_sources';
const TURN_COLUMNS =
  'id, session_id, seq, prompt, status, started_at, ended_at, cost_usd, task_id, owner_pid';
const FINISHED = new Set<string>(TURN_STATUSES.filter((status) => status !== 'running'));
// Control characters could rewrite a terminal line (`omnipalm sessions list`), bidi controls
// could make a title read as something else (Trojan Source): a title holds neither.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_TITLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_TITLE_ALL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/gu;

export class SessionStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #sql: Record<string, Database.Statement> = {};

  constructor(db: Database.Database, options: SessionStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    // directOnly: callable from our queries only, never from a trigger or view in the file.
    db.function(CONTAINS, { deterministic: true, directOnly: true }, (text, folded) =>
      typeof text === 'string' && typeof folded === 'string'
        ? Number(text.toLowerCase().includes(folded))
        : 0,
    );
  }

  /** Starts an empty session titled from its first prompt; returns it. */
  createSession(firstPrompt: string): SessionSummary {
    const title = titleFromPrompt(firstPrompt);
    const now = this.#now();
    // Hex, not base64url: an id starting with '-' would read as an option on a command line.
    const id = randomBytes(16).toString('hex');
    this.#run(
      `INSERT INTO sessions (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`,
      id,
      title,
      now,
      now,
    );
    return { id, title, createdAt: now, updatedAt: now, costUsd: 0, untrustedSources: [] };
  }

  /** Starts the session's next turn; refuses while another of its turns is running. */
  startTurn(sessionId: string, prompt: string, options: StartTurnOptions = {}): number {
    const isAlive = options.isAlive ?? processIsAlive;
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      throw new SessionStateError('a turn needs a prompt: got an empty one');
    }
    return this.#immediate(() => {
      this.#requireSession(sessionId);
      const running = this.#get<{ id: number; owner_pid: number | null }>(
        "SELECT id, owner_pid FROM turns WHERE session_id = ? AND status = 'running'",
        sessionId,
      );
      if (running && running.owner_pid !== null && !isAlive(running.owner_pid)) {
        // Its process is gone (a crash, a kill): the turn was cut off; the session goes on.
        this.#run(
          "UPDATE turns SET status = 'interrupted', ended_at = ? WHERE id = ?",
          this.#now(),
          running.id,
        );
      } else if (running) {
        throw new SessionStateError(
          `session ${JSON.stringify(sessionId)}: turn ${running.id} is still running; stop it ` +
            'or wait for it to end before sending another prompt',
        );
      }
      const now = this.#now();
      const id = this.#run(
        `INSERT INTO turns (session_id, seq, prompt, status, started_at, task_id, owner_pid)
         VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM turns WHERE session_id = ?), ?,
                 'running', ?, ?, ?)`,
        sessionId,
        sessionId,
        prompt,
        now,
        options.taskId ?? null,
        options.ownerPid ?? process.pid,
      ).lastInsertRowid;
      this.#run('UPDATE sessions SET updated_at = ? WHERE id = ?', now, sessionId);
      return Number(id);
    });
  }

  /** Appends the messages after the turn's earlier ones, all or none. The turn must be running. */
  appendMessages(turnId: number, messages: readonly SessionMessage[]): void {
    if (!Array.isArray(messages)) {
      throw new SessionStateError('appendMessages expects a list of messages');
    }
    const rows = messages.map((message: SessionMessage, index): [string, string] => {
      if (message?.role !== 'user' && message?.role !== 'assistant') {
        throw new SessionStateError(
          `messages[${index}].role must be user or assistant, got ${String(message?.role)}`,
        );
      }
      const content = JSON.stringify(message.content);
      if (content === undefined) {
        throw new SessionStateError(`messages[${index}].content must be a JSON value`);
      }
      return [message.role, content];
    });
    this.#immediate(() => {
      this.#requireRunning(turnId, 'add messages to');
      let seq = this.#get<{ next: number }>(
        'SELECT coalesce(max(seq), 0) + 1 AS next FROM turn_messages WHERE turn_id = ?',
        turnId,
      )!.next;
      for (const [role, content] of rows) {
        this.#run(
          'INSERT INTO turn_messages (turn_id, seq, role, content) VALUES (?, ?, ?, ?)',
          turnId,
          seq++,
          role,
          content,
        );
      }
    });
  }

  /** Ends a running turn and adds its cost to the session's. */
  finishTurn(turnId: number, status: FinishedTurnStatus, costUsd: number): void {
    if (!FINISHED.has(status)) {
      throw new SessionStateError(
        `a turn ends as one of ${[...FINISHED].join(', ')}, got ${String(status)}`,
      );
    }
    if (typeof costUsd !== 'number' || !Number.isFinite(costUsd) || costUsd < 0) {
      throw new SessionStateError(`a turn's cost must be a number ≥ 0, got ${String(costUsd)}`);
    }
    this.#immediate(() => {
      const turn = this.#requireRunning(turnId, 'finish');
      const now = this.#now();
      this.#run(
        'UPDATE turns SET status = ?, ended_at = ?, cost_usd = ? WHERE id = ?',
        status,
        now,
        costUsd,
        turnId,
      );
      this.#run(
        'UPDATE sessions SET cost_usd = cost_usd + ?, updated_at = ? WHERE id = ?',
        costUsd,
        now,
        turn.session_id,
      );
    });
  }

  /**
   * Marks the turns still running whose process is gone (or every one, without `isAlive`) as
   * interrupted: call at start-up for the turns a crash or quit cut off. Their sessions can go
   * on. A turn another live process runs (the window while `omnipalm chat` starts) is left
   * alone. Returns how many were marked.
   */
  markInterrupted(isAlive?: (pid: number) => boolean): number {
    return this.#immediate(() => {
      const running = this.#all<{ id: number; owner_pid: number | null }>(
        "SELECT id, owner_pid FROM turns WHERE status = 'running'",
      );
      const now = this.#now();
      let marked = 0;
      for (const turn of running) {
        if (isAlive && turn.owner_pid !== null && isAlive(turn.owner_pid)) continue;
        marked += this.#run(
          "UPDATE turns SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'",
          now,
          turn.id,
        ).changes;
      }
      return marked;
    });
  }

  /** Ends the turn as interrupted (the app quit while it ran); a no-op if it has ended. */
  interruptTurn(turnId: number): void {
    this.#run(
      "UPDATE turns SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'",
      this.#now(),
      turnId,
    );
  }

  /** Records where untrusted content entered the session, once each; returns the whole list. */
  addUntrustedSources(sessionId: string, sources: readonly string[]): string[] {
    if (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string' || s === '')) {
      throw new SessionStateError('untrusted sources must be a list of non-empty strings');
    }
    return this.#immediate(() => {
      const known = parseSources(this.#requireSession(sessionId).untrusted_sources, sessionId);
      const merged = [...new Set([...known, ...sources])];
      if (merged.length !== known.length) {
        this.#run(
          'UPDATE sessions SET untrusted_sources = ? WHERE id = ?',
          JSON.stringify(merged),
          sessionId,
        );
      }
      return merged;
    });
  }

  /** Sessions most recently active first; `text` matches titles and prompts, ignoring case. */
  list(query: SessionListQuery = {}): SessionListPage {
    const limit = query.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new SessionStateError(`limit must be a whole number 1–${MAX_PAGE}, got ${limit}`);
    }
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    if (query.cursor !== undefined) {
      const [updatedAt, id] = parseCursor(query.cursor);
      conditions.push('(updated_at, id) < (?, ?)');
      params.push(updatedAt, id);
    }
    if (query.text !== undefined && query.text.trim() !== '') {
      const folded = query.text.trim().toLowerCase();
      conditions.push(
        `(${CONTAINS}(title, ?) OR EXISTS (SELECT 1 FROM turns t ` +
          `WHERE t.session_id = sessions.id AND ${CONTAINS}(t.prompt, ?)))`,
      );
      params.push(folded, folded);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.#all<SessionRow>(listSql(where), ...params, limit + 1);
    const sessions = rows.slice(0, limit).map(toSummary);
    const last = sessions.at(-1);
    return rows.length > limit && last
      ? { sessions, nextCursor: `${last.updatedAt}.${last.id}` }
      : { sessions };
  }

  get(sessionId: string): Session {
    const row = this.#requireSession(sessionId);
    const counts = this.#get<{ turns: number; running: number | null }>(
      `SELECT count(*) AS turns, max(CASE WHEN status = 'running' THEN id END) AS running
       FROM turns WHERE session_id = ?`,
      sessionId,
    )!;
    const session: Session = { ...toSummary(row), turnCount: counts.turns };
    if (counts.running !== null) session.runningTurnId = counts.running;
    return session;
  }

  /** One page of turns with their messages, before `beforeSeq` (the newest page by default). */
  turnsPage(sessionId: string, beforeSeq?: number, limit = 20): TurnsPage {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new SessionStateError(`limit must be a whole number 1–${MAX_PAGE}, got ${limit}`);
    }
    if (beforeSeq !== undefined && !Number.isInteger(beforeSeq)) {
      throw new SessionStateError(`beforeSeq must be a whole number, got ${beforeSeq}`);
    }
    this.#requireSession(sessionId);
    const rows = this.#all<TurnRow>(
      turnsPageSql(),
      sessionId,
      beforeSeq ?? Number.MAX_SAFE_INTEGER,
      limit + 1,
    );
    const turns = rows
      .slice(0, limit)
      .reverse()
      .map((row) => toTurn(row, this.#messagesOf(row.id)));
    const oldest = turns[0];
    return rows.length > limit && oldest ? { turns, nextBeforeSeq: oldest.seq } : { turns };
  }

  /**
   * The messages of every ended turn (interrupted ones included), in order: the context of the
   * session's next request. A running turn's messages are the caller's own, still in memory.
   */
  contextMessages(sessionId: string): SessionMessage[] {
    this.#requireSession(sessionId);
    return this.#all<MessageRow>(contextSql(), sessionId).map(toMessage);
  }

  rename(sessionId: string, title: string): void {
    const checked = checkTitle(title);
    const changes = this.#run(
      'UPDATE sessions SET title = ? WHERE id = ?',
      checked,
      sessionId,
    ).changes;
    if (changes === 0) throw new UnknownSessionError('session', sessionId);
  }

  /** Removes the session, its turns and their messages. The audit log keeps its own lines. */
  delete(sessionId: string): void {
    const changes = this.#run('DELETE FROM sessions WHERE id = ?', sessionId).changes;
    if (changes === 0) throw new UnknownSessionError('session', sessionId);
  }

  #messagesOf(turnId: number): SessionMessage[] {
    return this.#all<MessageRow>(
      'SELECT role, content FROM turn_messages WHERE turn_id = ? ORDER BY seq',
      turnId,
    ).map(toMessage);
  }

  #requireSession(sessionId: string): SessionRow {
    const row =
      typeof sessionId === 'string'
        ? this.#get<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`, sessionId)
        : undefined;
    if (!row) throw new UnknownSessionError('session', sessionId);
    return row;
  }

  #requireRunning(turnId: number, action: string): TurnRow {
    const row = Number.isInteger(turnId)
      ? this.#get<TurnRow>(`SELECT ${TURN_COLUMNS} FROM turns WHERE id = ?`, turnId)
      : undefined;
    if (!row) throw new UnknownSessionError('turn', turnId);
    if (row.status !== 'running') {
      throw new SessionStateError(
        `turn ${turnId} has already ended (${row.status}): cannot ${action} it; start a new turn`,
      );
    }
    return row;
  }

  // IMMEDIATE takes the write lock up front: a read-then-write that had to upgrade its lock
  // could fail with SQLITE_BUSY at once instead of waiting out the busy timeout.
  #immediate<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#sql[sql];
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#sql[sql] = statement;
    }
    return statement;
  }

  #run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.#statement(sql).run(...params);
  }

  #get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  #all<T>(sql: string, ...params: unknown[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }
}

/** Exported for the query-plan test: the SQL of a list page, given its WHERE clause. */
export function listSql(where = ''): string {
  return `SELECT ${SESSION_COLUMNS} FROM sessions ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`;
}

/** Exported for the query-plan test: a page of turns, newest first (reversed in code). */
export function turnsPageSql(): string {
  return `SELECT ${TURN_COLUMNS} FROM turns WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`;
}

/** Exported for the query-plan test: every message of the session's ended turns, in order. */
export function contextSql(): string {
  return `SELECT m.role, m.content FROM turns t JOIN turn_messages m ON m.turn_id = t.id
          WHERE t.session_id = ? AND t.status <> 'running' ORDER BY t.seq, m.seq`;
}

/** The first prompt on one line, without control characters, cut to 80 characters. */
export function titleFromPrompt(prompt: string): string {
  if (typeof prompt !== 'string') {
    throw new SessionStateError('a session starts from a prompt: got no text');
  }
  const line = prompt.replace(FORBIDDEN_IN_TITLE_ALL, ' ').replace(/\s+/gu, ' ').trim();
  if (line === '') throw new SessionStateError('a session starts from a prompt: got an empty one');
  const characters = Array.from(line);
  return characters.length <= TITLE_FROM_PROMPT_LENGTH
    ? line
    : `${characters
        .slice(0, TITLE_FROM_PROMPT_LENGTH - 1)
        .join('')
        .trimEnd()}…`;
}

function checkTitle(title: unknown): string {
  if (typeof title !== 'string' || title.trim() === '') {
    throw new SessionStateError('a session title cannot be empty');
  }
  const trimmed = title.trim();
  const length = Array.from(trimmed).length;
  if (length > MAX_TITLE_LENGTH) {
    throw new SessionStateError(
      `a session title is at most ${MAX_TITLE_LENGTH} characters, got ${length}`,
    );
  }
  if (FORBIDDEN_IN_TITLE.test(trimmed)) {
    throw new SessionStateError(
      'a session title cannot hold control characters (line breaks, tabs, escapes, bidi ' +
        'controls): write it on one line',
    );
  }
  return trimmed;
}

function parseCursor(cursor: string): [number, string] {
  const match = typeof cursor === 'string' ? /^(\d{1,16})\.([0-9a-f]{1,64})$/.exec(cursor) : null;
  if (!match) {
    throw new SessionStateError(
      `cursor ${JSON.stringify(cursor)} is not one this store gave out: pass a nextCursor back as it is`,
    );
  }
  return [Number(match[1]), match[2] as string];
}

// Fails closed: a list that cannot be read must not pass for "no untrusted content".
function parseSources(text: string, sessionId: string): string[] {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed) || parsed.some((source) => typeof source !== 'string')) {
    throw new SessionStateError(
      `session ${JSON.stringify(sessionId)}: its untrusted sources are not a list of strings; ` +
        'the file was changed outside OmniPalm: delete the session or start a new one',
    );
  }
  return parsed as string[];
}

function toSummary(row: SessionRow): SessionSummary {
  return {
    id: row.id,
    title: row.title,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    costUsd: row.cost_usd,
    untrustedSources: parseSources(row.untrusted_sources, row.id),
  };
}

function toTurn(row: TurnRow, messages: SessionMessage[]): Turn {
  const turn: Turn = {
    id: row.id,
    seq: row.seq,
    prompt: row.prompt,
    status: row.status,
    startedAt: row.started_at,
    costUsd: row.cost_usd,
    messages,
  };
  if (row.ended_at !== null) turn.endedAt = row.ended_at;
  if (row.task_id !== null) turn.taskId = row.task_id;
  return turn;
}

function toMessage(row: MessageRow): SessionMessage {
  return { role: row.role, content: JSON.parse(row.content) as unknown };
}

/** Whether a process of this machine is alive (signal 0 only checks; EPERM means it is). */
export function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
