import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/database.js';
import {
  type TimelineEvent,
  type TimelineInput,
  TimelineStore,
} from '../../../src-main/store/timelineStore.js';
import { makeTempFolder } from '../../support/tempFolders.js';

let db: Database.Database;
afterEach(() => db.close());

const NOW = Date.UTC(2026, 0, 1, 9, 0, 0);

function newStore(): TimelineStore {
  db = openDatabase(path.join(makeTempFolder('omnipalm-timeline-'), 'state', 'timeline.sqlite'));
  return new TimelineStore(db, { now: () => NOW });
}

const event = (summary: string, extra: Partial<TimelineInput> = {}): TimelineInput => ({
  kind: 'tool_call',
  summary,
  ...extra,
});

const summaries = (events: TimelineEvent[]) => events.map((e) => e.summary);

describe('TimelineStore', () => {
  it('gives back what it was given, newest first', () => {
    const store = newStore();
    const first = store.append({
      kind: 'policy',
      level: 'WARN',
      time: new Date(NOW - 5000),
      taskId: 'task-1',
      sessionId: 'session-1',
      tool: 'email.send',
      operation: 'send',
      decision: 'ask',
      status: 'pending',
      summary: 'email.send to alice@example.com needs confirmation',
      detail: { recipient: 'alice@example.com', attachments: [1, 2] },
      costUsd: 0.25,
      name: 'not stored',
    });
    const second = store.append({ kind: 'error', summary: 'the model timed out' });
    expect(second).toBeGreaterThan(first);
    expect(store.page()).toEqual({
      events: [
        // Defaults: the level follows the kind, the time is now; empty columns are left out.
        { id: second, time: NOW, kind: 'error', level: 'ERROR', summary: 'the model timed out' },
        {
          id: first,
          time: NOW - 5000,
          kind: 'policy',
          level: 'WARN',
          taskId: 'task-1',
          sessionId: 'session-1',
          tool: 'email.send',
          operation: 'send',
          decision: 'ask',
          status: 'pending',
          summary: 'email.send to alice@example.com needs confirmation',
          detail: { recipient: 'alice@example.com', attachments: [1, 2] },
          costUsd: 0.25,
        },
      ],
    });
  });

  it('appends many in one go, and none of them when one is invalid, naming it', () => {
    const store = newStore();
    store.appendMany([event('a'), event('b'), event('c')]);
    expect(summaries(store.page().events)).toEqual(['c', 'b', 'a']);

    const bad = [event('d'), { kind: 'nonsense', summary: 'e' } as unknown as TimelineInput];
    expect(() => store.appendMany(bad)).toThrow('timeline events[1]: kind must be one of');
    expect(() => store.append(event('f', { time: new Date('not a date') }))).toThrow(
      'timeline event: time must be a valid date',
    );
    expect(() => store.append(event('f', { time: 1234 as unknown as Date }))).toThrow(
      'timeline event: time must be a valid date, got 1234',
    );
    expect(() => store.append(null as unknown as TimelineInput)).toThrow(
      'timeline event: it must be an object, got null',
    );
    expect(() => store.append(event('f', { decision: 'maybe' as 'ask' }))).toThrow(
      'timeline event: decision must be allow, ask or deny, got maybe',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => store.append(event('g', { detail: cyclic }))).toThrow(
      'timeline event: detail must be JSON-serializable',
    );
    expect(summaries(store.page().events)).toEqual(['c', 'b', 'a']);
  });

  it('pages through every event exactly once, even with events appended between pages', () => {
    const store = newStore();
    store.appendMany(Array.from({ length: 250 }, (_, i) => event(`old ${i}`)));
    const seen: number[] = [];
    let cursor: number | undefined;
    let pages = 0;
    do {
      const page = store.page({ before: cursor, limit: 60 });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
      // Newer events arrive while the user scrolls back: they belong above, not in older pages.
      store.appendMany([event(`new ${pages}a`), event(`new ${pages}b`)]);
    } while (cursor !== undefined);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(250);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const all = store.page({ limit: 1000 }).events;
    const old = all.filter((e) => e.summary.startsWith('old'));
    expect(old.map((e) => e.id)).toEqual(seen);
  });

  it('answers no cursor on the last page, even when it is exactly full', () => {
    const store = newStore();
    store.appendMany([event('a'), event('b')]);
    expect(store.page({ limit: 2 }).nextCursor).toBeUndefined();
    const first = store.page({ limit: 1 });
    expect(summaries(first.events)).toEqual(['b']);
    expect(store.page({ limit: 1, before: first.nextCursor })).toEqual({
      events: [expect.objectContaining({ summary: 'a' })],
    });
  });

  describe('filters', () => {
    function filled(): TimelineStore {
      const store = newStore();
      store.appendMany([
        // Tasks t1 and t2 are two turns of session s1; the alert is outside any session.
        event('read one', { tool: 'file.read', taskId: 't1', status: 'ok', sessionId: 's1' }),
        event('policy deny', { kind: 'policy', tool: 'shell.run', decision: 'deny', taskId: 't1' }),
        event('send mail', { tool: 'email.send', taskId: 't2', status: 'error', sessionId: 's1' }),
        event('policy ask', { kind: 'policy', tool: 'email.send', decision: 'ask', taskId: 't2' }),
        event('alert!', { kind: 'alert', taskId: 't2' }),
        event('read two', { tool: 'file.read', taskId: 't2', status: 'ok', sessionId: 's2' }),
      ]);
      return store;
    }

    it.each([
      [{ kinds: ['policy'] }, ['policy ask', 'policy deny']],
      [{ kinds: ['policy', 'alert'] }, ['alert!', 'policy ask', 'policy deny']],
      [{ tools: ['file.read'] }, ['read two', 'read one']],
      [{ tools: ['file.read', 'email.send'] }, ['read two', 'policy ask', 'send mail', 'read one']],
      [{ statuses: ['error'] }, ['send mail']],
      [{ statuses: ['ok', 'error'] }, ['read two', 'send mail', 'read one']],
      [{ decisions: ['deny'] }, ['policy deny']],
      [{ decisions: ['allow'] }, []],
      [{ taskId: 't1' }, ['policy deny', 'read one']],
      [{ taskId: 't2', kinds: ['policy', 'tool_call'] }, ['read two', 'policy ask', 'send mail']],
      [{ tools: ['email.send'], kinds: ['policy'] }, ['policy ask']],
      [{ kinds: ['policy'], decisions: ['ask', 'deny'], taskId: 't1' }, ['policy deny']],
      [{ text: 'READ' }, ['read two', 'read one']],
      [{ text: 'read', tools: ['file.read'], taskId: 't1' }, ['read one']],
      [{ sessionId: 's1' }, ['send mail', 'read one']],
      [{ sessionId: 's2' }, ['read two']],
      [{ sessionId: 's1', taskId: 't2' }, ['send mail']],
      [{ sessionId: 's1', tools: ['file.read'] }, ['read one']],
      [{ sessionId: 's1', text: 'mail' }, ['send mail']],
      [{ sessionId: 'nobody' }, []],
      // An empty list matches nothing; an empty text is no filter.
      [{ kinds: [] }, []],
      [{ text: '' }, ['read two', 'alert!', 'policy ask', 'send mail', 'policy deny', 'read one']],
    ] as const)('%j', (query, expected) => {
      const store = filled();
      expect(summaries(store.page(query as never).events)).toEqual(expected);
    });

    it('pages through a filtered view with its cursor', () => {
      const store = filled();
      const first = store.page({ tools: ['file.read', 'email.send'], limit: 3 });
      expect(summaries(first.events)).toEqual(['read two', 'policy ask', 'send mail']);
      const second = store.page({ tools: ['file.read', 'email.send'], before: first.nextCursor });
      expect(second).toEqual({ events: [expect.objectContaining({ summary: 'read one' })] });
    });

    it('lists each event once when a filter value is given twice', () => {
      const store = filled();
      expect(summaries(store.page({ kinds: ['alert', 'alert'] }).events)).toEqual(['alert!']);
    });
  });

  describe('text search', () => {
    it('treats % and _ as plain characters', () => {
      const store = newStore();
      store.appendMany([
        event('disk 100% full'),
        event('disk 1000 full'),
        event('file my_notes.txt'),
        event('file myXnotes.txt'),
        event('path C:\\temp\\x'),
      ]);
      expect(summaries(store.page({ text: '100%' }).events)).toEqual(['disk 100% full']);
      expect(summaries(store.page({ text: '%' }).events)).toEqual(['disk 100% full']);
      expect(summaries(store.page({ text: 'my_notes' }).events)).toEqual(['file my_notes.txt']);
      expect(summaries(store.page({ text: '_' }).events)).toEqual(['file my_notes.txt']);
      expect(summaries(store.page({ text: '\\temp\\' }).events)).toEqual(['path C:\\temp\\x']);
    });

    it('ignores case, in ASCII and beyond', () => {
      const store = newStore();
      store.appendMany([event('Sent Résumé to ÅSA'), event('sent invoice')]);
      expect(summaries(store.page({ text: 'SENT' }).events)).toEqual([
        'sent invoice',
        'Sent Résumé to ÅSA',
      ]);
      expect(summaries(store.page({ text: 'RÉSUMÉ' }).events)).toEqual(['Sent Résumé to ÅSA']);
      expect(summaries(store.page({ text: 'åsa' }).events)).toEqual(['Sent Résumé to ÅSA']);
      expect(summaries(store.page({ text: '100%' }).events)).toEqual([]);
    });
  });

  describe('validation', () => {
    it.each([
      [{ limit: 0 }, 'timeline page: limit must be a whole number from 1 to 1000, got 0'],
      [{ limit: 1001 }, 'limit must be a whole number from 1 to 1000, got 1001'],
      [{ limit: 2.5 }, 'limit must be a whole number from 1 to 1000, got 2.5'],
      [{ limit: '10' }, 'limit must be a whole number from 1 to 1000, got "10"'],
      [{ limit: Number.NaN }, 'limit must be a whole number from 1 to 1000, got NaN'],
      [{ before: 0 }, 'before must be an event id (a whole number of at least 1), got 0'],
      [{ before: -5 }, 'before must be an event id'],
      [{ before: 1.5 }, 'before must be an event id'],
      [{ before: 2 ** 60 }, 'before must be an event id'],
      [{ before: '12' }, 'before must be an event id (a whole number of at least 1), got "12"'],
      [{ kinds: 'policy' }, 'kinds must be a list of at most 100 values, got "policy"'],
      [{ kinds: ['policy', 'nonsense'] }, 'kinds[1] must be one of user_command'],
      [{ decisions: ['block'] }, 'decisions[0] must be one of allow, ask, deny, got "block"'],
      [{ tools: [42] }, 'tools[0] must be a string, got 42'],
      [{ tools: Array(101).fill('x') }, 'tools must be a list of at most 100 values'],
      [{ text: 'x'.repeat(1001) }, 'text must be a string of at most 1000 characters'],
      [{ taskId: 7 }, 'taskId must be a string of at most 1000 characters, got 7'],
      [{ sessionId: ['s1'] }, 'sessionId must be a string of at most 1000 characters, got a list'],
      [{ kind: ['policy'] }, 'timeline page: unknown field "kind"'],
      [null, 'timeline page: query must be an object, got null'],
    ])('%j', (query, message) => {
      const store = newStore();
      expect(() => store.page(query as never)).toThrow(message);
    });

    it('accepts the limits at both ends', () => {
      const store = newStore();
      store.appendMany([event('a'), event('b')]);
      expect(store.page({ limit: 1 }).events).toHaveLength(1);
      expect(store.page({ limit: 1000 }).events).toHaveLength(2);
    });
  });

  it('keeps ids growing after old events are pruned', () => {
    const store = newStore();
    store.appendMany([event('a'), event('b'), event('c')]);
    const newest = store.page().events[0]?.id as number;
    db.prepare('DELETE FROM timeline WHERE id < (SELECT max(id) FROM timeline)').run();
    expect(store.append(event('d'))).toBe(newest + 1);
  });
});
