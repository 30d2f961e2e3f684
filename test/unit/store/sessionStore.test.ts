import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/database.js';
import {
  contextSql,
  listSql,
  SessionStateError,
  SessionStore,
  turnsPageSql,
  UnknownSessionError,
} from '../../../src-main/store/sessionStore.js';
import { makeTempFolder } from '../../support/tempFolders.js';

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

/** A store on a real file, with a clock that moves one millisecond per call. */
function storeAt(file: string, start = 1_000): { store: SessionStore; db: Database.Database } {
  const db = openDatabase(file);
  open.push(db);
  let time = start;
  return { store: new SessionStore(db, { now: () => time++ }), db };
}

const freshFile = () => path.join(makeTempFolder(), 'state', 'timeline.sqlite');

describe('SessionStore', () => {
  it('keeps a session, its turns, messages, cost and taint across close and reopen', () => {
    const file = freshFile();
    const first = storeAt(file);
    const session = first.store.createSession('  Delete the old logs\nin /var/log  ');
    expect(session.title).toBe('Delete the old logs in /var/log');
    const turn = first.store.startTurn(session.id, 'Delete the old logs');
    first.store.appendMessages(turn, [
      { role: 'user', content: 'Delete the old logs' },
      { role: 'assistant', content: [{ type: 'text', text: 'Done: 3 files' }] },
    ]);
    first.store.finishTurn(turn, 'done', 0.0125);
    first.store.addUntrustedSources(session.id, ['inbox.txt']);
    first.db.close();

    const second = storeAt(file, 5_000);
    const reopened = second.store.get(session.id);
    expect(reopened).toMatchObject({
      title: 'Delete the old logs in /var/log',
      costUsd: 0.0125,
      untrustedSources: ['inbox.txt'],
      turnCount: 1,
    });
    expect(reopened.runningTurnId).toBeUndefined();
    expect(second.store.contextMessages(session.id)).toEqual([
      { role: 'user', content: 'Delete the old logs' },
      { role: 'assistant', content: [{ type: 'text', text: 'Done: 3 files' }] },
    ]);
    const next = second.store.startTurn(session.id, 'now do the same in ~/Documents');
    second.store.finishTurn(next, 'done', 0.01);
    expect(second.store.get(session.id).costUsd).toBeCloseTo(0.0225);
  });

  it('marks turns a crash cut off as interrupted, and the session goes on after them', () => {
    const file = freshFile();
    const before = storeAt(file);
    const a = before.store.createSession('first');
    const b = before.store.createSession('second');
    const cut = before.store.startTurn(a.id, 'first');
    before.store.appendMessages(cut, [{ role: 'user', content: 'first' }]);
    before.store.startTurn(b.id, 'second');
    before.db.close(); // the crash: nothing finished either turn

    const after = storeAt(file, 9_000);
    expect(after.store.get(a.id).runningTurnId).toBe(cut);
    expect(after.store.markInterrupted()).toBe(2);
    expect(after.store.markInterrupted()).toBe(0);
    const [turn] = after.store.turnsPage(a.id).turns;
    expect(turn).toMatchObject({ status: 'interrupted', endedAt: 9_000 });
    expect(after.store.contextMessages(a.id)).toEqual([{ role: 'user', content: 'first' }]);
    expect(after.store.startTurn(a.id, 'go on')).toBeGreaterThan(cut);
  });

  it("leaves a live process's running turn alone and takes over a dead one's", () => {
    const file = freshFile();
    const { store } = storeAt(file);
    const live = store.createSession('live');
    const dead = store.createSession('dead');
    const liveTurn = store.startTurn(live.id, 'live', { taskId: 'task-live', ownerPid: 111 });
    const deadTurn = store.startTurn(dead.id, 'dead', { ownerPid: 222 });
    const alive = (pid: number) => pid === 111;
    // Start-up of another process: only the dead owner's turn was cut off.
    expect(store.markInterrupted(alive)).toBe(1);
    expect(store.get(live.id).runningTurnId).toBe(liveTurn);
    expect(store.turnsPage(dead.id).turns[0]).toMatchObject({
      id: deadTurn,
      status: 'interrupted',
    });
    expect(store.turnsPage(live.id).turns[0]?.taskId).toBe('task-live');
    // A follow-up to a live turn waits; once its owner is gone, the session goes on.
    expect(() => store.startTurn(live.id, 'next', { isAlive: alive })).toThrow(/still running/);
    const next = store.startTurn(live.id, 'next', { isAlive: () => false });
    expect(store.turnsPage(live.id).turns.map((turn) => turn.status)).toEqual([
      'interrupted',
      'running',
    ]);
    store.interruptTurn(next);
    expect(store.get(live.id).runningTurnId).toBeUndefined();
  });

  it('refuses a second running turn, and writes to a turn that has ended', () => {
    const { store } = storeAt(freshFile());
    const session = store.createSession('one');
    const turn = store.startTurn(session.id, 'one');
    expect(() => store.startTurn(session.id, 'two')).toThrow(
      new RegExp(`turn ${turn} is still running`),
    );
    store.finishTurn(turn, 'stopped', 0);
    expect(() => store.appendMessages(turn, [{ role: 'user', content: 'late' }])).toThrow(
      /has already ended \(stopped\)/,
    );
    expect(() => store.finishTurn(turn, 'done', 0)).toThrow(SessionStateError);
    expect(() => store.startTurn(session.id, '   ')).toThrow(/empty/);
    const second = store.startTurn(session.id, 'two');
    expect(() => store.finishTurn(second, 'done', -1)).toThrow(/cost must be a number ≥ 0/);
    expect(() => store.finishTurn(second, 'running' as never, 0)).toThrow(/a turn ends as/);
  });

  it('stores a batch of messages all or none', () => {
    const { store } = storeAt(freshFile());
    const session = store.createSession('p');
    const turn = store.startTurn(session.id, 'p');
    expect(() =>
      store.appendMessages(turn, [
        { role: 'user', content: 'ok' },
        { role: 'system' as never, content: 'no' },
      ]),
    ).toThrow('messages[1].role must be user or assistant');
    store.appendMessages(turn, [{ role: 'user', content: 'a' }]);
    store.appendMessages(turn, [{ role: 'assistant', content: 'b' }]);
    store.finishTurn(turn, 'done', 0);
    expect(store.contextMessages(session.id).map((message) => message.content)).toEqual(['a', 'b']);
  });

  it('leaves the running turn out of the context of the next request', () => {
    const { store } = storeAt(freshFile());
    const session = store.createSession('p');
    const done = store.startTurn(session.id, 'p');
    store.appendMessages(done, [{ role: 'user', content: 'earlier' }]);
    store.finishTurn(done, 'denied', 0);
    const running = store.startTurn(session.id, 'q');
    store.appendMessages(running, [{ role: 'user', content: 'current' }]);
    expect(store.contextMessages(session.id)).toEqual([{ role: 'user', content: 'earlier' }]);
  });

  it('deletes a session with every turn and message row, and keeps the others', () => {
    const { store, db } = storeAt(freshFile());
    const gone = store.createSession('gone');
    const kept = store.createSession('kept');
    for (const session of [gone, kept]) {
      const turn = store.startTurn(session.id, 'p');
      store.appendMessages(turn, [{ role: 'user', content: session.title }]);
      store.finishTurn(turn, 'done', 0);
    }
    store.delete(gone.id);
    const rows = (sql: string) => db.prepare(sql).pluck().all();
    expect(rows('SELECT content FROM turn_messages')).toEqual(['"kept"']);
    expect(rows('SELECT session_id FROM turns')).toEqual([kept.id]);
    expect(() => store.get(gone.id)).toThrow(UnknownSessionError);
    expect(() => store.delete(gone.id)).toThrow(UnknownSessionError);
  });

  it('names an unknown id and the command that lists the real ones', () => {
    const { store } = storeAt(freshFile());
    for (const call of [
      () => store.get('abc'),
      () => store.startTurn('abc', 'p'),
      () => store.turnsPage('abc'),
      () => store.contextMessages('abc'),
      () => store.rename('abc', 'x'),
      () => store.addUntrustedSources('abc', ['x']),
    ]) {
      expect(call).toThrow(UnknownSessionError);
      expect(call).toThrow('session "abc": no such session');
      expect(call).toThrow('omnipalm sessions list');
    }
    expect(() => store.finishTurn(42, 'done', 0)).toThrow('turn 42: no such turn');
    expect(() => store.appendMessages(42, [])).toThrow(UnknownSessionError);
  });

  it('validates a new title: trimmed, not empty, at most 200 characters, one plain line', () => {
    const { store } = storeAt(freshFile());
    const session = store.createSession('p');
    store.rename(session.id, '  Log clean-up  ');
    expect(store.get(session.id).title).toBe('Log clean-up');
    store.rename(session.id, 'é'.repeat(200));
    for (const bad of [
      '',
      '   ',
      'x'.repeat(201),
      'two\nlines',
      'bell\u0007',
      'evil\u202Etxt.exe',
    ]) {
      expect(() => store.rename(session.id, bad)).toThrow(SessionStateError);
    }
    expect(store.get(session.id).title).toBe('é'.repeat(200));
  });

  it('titles a session from its first prompt, cut to 80 characters on one line', () => {
    const { store } = storeAt(freshFile());
    const title = store.createSession(`${'word '.repeat(40)}\u001b[2J`).title;
    expect(Array.from(title)).toHaveLength(80);
    expect(title.endsWith('…')).toBe(true);
    expect(title).not.toContain('\u001b');
    expect(() => store.createSession(' \n ')).toThrow(/empty/);
  });

  it('keeps untrusted sources once each, first seen first', () => {
    const { store } = storeAt(freshFile());
    const session = store.createSession('p');
    expect(store.addUntrustedSources(session.id, ['inbox.txt', 'web:a.com'])).toEqual([
      'inbox.txt',
      'web:a.com',
    ]);
    expect(store.addUntrustedSources(session.id, ['web:a.com', 'notes.md', 'notes.md'])).toEqual([
      'inbox.txt',
      'web:a.com',
      'notes.md',
    ]);
    expect(store.get(session.id).untrustedSources).toEqual(['inbox.txt', 'web:a.com', 'notes.md']);
  });

  it('lists sessions most recently active first, searches titles and prompts, pages', () => {
    const { store } = storeAt(freshFile());
    const ids = ['alpha', 'Beta logs', 'gamma', 'delta', 'epsilon'].map(
      (prompt) => store.createSession(prompt).id,
    );
    const turn = store.startTurn(ids[0] as string, 'Clean the ÄRGER folder');
    store.finishTurn(turn, 'done', 0); // alpha is now the most recently active
    const page1 = store.list({ limit: 2 });
    expect(page1.sessions.map((session) => session.title)).toEqual(['alpha', 'epsilon']);
    const page2 = store.list({ limit: 2, cursor: page1.nextCursor });
    expect(page2.sessions.map((session) => session.title)).toEqual(['delta', 'gamma']);
    const page3 = store.list({ limit: 2, cursor: page2.nextCursor });
    expect(page3.sessions.map((session) => session.title)).toEqual(['Beta logs']);
    expect(page3.nextCursor).toBeUndefined();

    expect(store.list({ text: 'BETA' }).sessions.map((session) => session.title)).toEqual([
      'Beta logs',
    ]);
    expect(store.list({ text: 'ärger' }).sessions.map((session) => session.id)).toEqual([ids[0]]);
    expect(store.list({ text: '50%_' }).sessions).toEqual([]);
    expect(() => store.list({ cursor: 'nonsense' })).toThrow(/not one this store gave out/);
    expect(() => store.list({ limit: 0 })).toThrow(/limit/);
  });

  it('pages turns newest page last, each with its messages', () => {
    const { store } = storeAt(freshFile());
    const session = store.createSession('turn 1');
    for (let seq = 1; seq <= 5; seq++) {
      const turn = store.startTurn(session.id, `turn ${seq}`);
      store.appendMessages(turn, [{ role: 'user', content: `turn ${seq}` }]);
      store.finishTurn(turn, 'done', 0);
    }
    const last = store.turnsPage(session.id, undefined, 2);
    expect(last.turns.map((turn) => turn.seq)).toEqual([4, 5]);
    expect(last.turns[1]?.messages).toEqual([{ role: 'user', content: 'turn 5' }]);
    const older = store.turnsPage(session.id, last.nextBeforeSeq, 2);
    expect(older.turns.map((turn) => turn.prompt)).toEqual(['turn 2', 'turn 3']);
    const first = store.turnsPage(session.id, older.nextBeforeSeq, 2);
    expect(first.turns.map((turn) => turn.seq)).toEqual([1]);
    expect(first.nextBeforeSeq).toBeUndefined();
  });
});

describe('the session query plans', () => {
  function plan(db: Database.Database, sql: string, ...params: unknown[]): string[] {
    return db
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((row) => row.detail);
  }

  // A plan that scanned the table or sorted in a temp b-tree would read every session (or
  // every turn) before returning the first page: opening a 1,000-turn session must not.
  it.each([
    ['the sidebar', listSql(), [20], /^SCAN sessions USING INDEX sessions_newest_first$/],
    [
      'the sidebar from a cursor',
      listSql('WHERE (updated_at, id) < (?, ?)'),
      [1, 'a', 20],
      /^SEARCH sessions USING INDEX sessions_newest_first \(\(updated_at,id\)<\(\?,\?\)\)$/,
    ],
    [
      'a page of turns',
      turnsPageSql(),
      ['s', 5, 5],
      /^SEARCH turns USING INDEX turns_by_session \(session_id=\? AND seq<\?\)$/,
    ],
    [
      'the context of the next request',
      contextSql(),
      ['s'],
      /^SEARCH (t USING INDEX turns_by_session \(session_id=\?\)|m USING PRIMARY KEY \(turn_id=\?\))$/,
    ],
  ])('%s walks its index in order, no scan, no sort', (_, sql, params, expected) => {
    const { db, store } = storeAt(freshFile());
    // With statistics from a skewed table too: the plan must not flip once SQLite has them.
    for (let index = 0; index < 20; index++) {
      const session = store.createSession(`session ${index}`);
      for (let turn = 0; turn < (index === 0 ? 200 : 2); turn++) {
        store.finishTurn(store.startTurn(session.id, 'p'), 'done', 0);
      }
    }
    for (const analyzed of [false, true]) {
      if (analyzed) db.exec('ANALYZE');
      const steps = plan(db, sql, ...params);
      const searches = steps.filter((step) => /^(SEARCH|SCAN) /.test(step));
      expect(searches.length).toBeGreaterThan(0);
      for (const step of searches) expect(step).toMatch(expected);
      expect(steps.join('\n')).not.toMatch(/TEMP B-TREE/);
    }
  });
});
