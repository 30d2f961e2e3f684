// The timeline's first page must cost the same with 100 events or 10 million: every common
// query walks an index (or the primary key) backwards from the cursor and stops after one
// page. A plan that scans the table, or sorts its matches in a temp b-tree, would read every
// matching row before returning the first.
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/database.js';
import {
  pageSql,
  parsePageQuery,
  type TimelinePageQuery,
} from '../../../src-main/store/timelineQuery.js';
import { TimelineStore } from '../../../src-main/store/timelineStore.js';
import { makeTempFolder } from '../../support/tempFolders.js';

let db: Database.Database;
beforeAll(() => {
  db = openDatabase(path.join(makeTempFolder(), 'timeline.sqlite'));
  new TimelineStore(db); // registers the text function the non-ASCII search uses
});
afterAll(() => db.close());

function plan(query: TimelinePageQuery): string[] {
  const built = pageSql(parsePageQuery(query));
  if (!built) throw new Error('no SQL for this query');
  return db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${built.sql}`)
    .all(...built.params)
    .map((row) => row.detail);
}

/** The trigram index (migration 003) walked newest first from the cursor, each match joined
 * to its row by primary key. */
const TEXT_INDEX =
  /^(SCAN timeline_text VIRTUAL TABLE INDEX \d+:M\d+<|SEARCH timeline USING INTEGER PRIMARY KEY \(rowid=\?\))$/;

const QUERIES: [string, TimelinePageQuery, RegExp][] = [
  ['no filter', {}, /^SEARCH timeline USING INTEGER PRIMARY KEY \(rowid<\?\)$/],
  ['from a cursor', { before: 500 }, /^SEARCH timeline USING INTEGER PRIMARY KEY \(rowid<\?\)$/],
  ['kind', { kinds: ['policy'] }, /USING INDEX timeline_by_kind \(kind=\? AND rowid<\?\)/],
  ['several kinds', { kinds: ['policy', 'alert'] }, /USING INDEX timeline_by_kind/],
  ['tool', { tools: ['email.send'] }, /USING INDEX timeline_by_tool \(tool=\? AND rowid<\?\)/],
  ['kind and tool', { kinds: ['tool_call'], tools: ['file.read'] }, /INDEX timeline_by_tool/],
  ['task', { taskId: 't1', kinds: ['policy'] }, /INDEX timeline_by_task \(task_id=\? AND rowid/],
  ['session', { sessionId: 's1' }, /INDEX timeline_by_session \(session_id=\? AND rowid<\?\)/],
  ['session and kind', { sessionId: 's1', kinds: ['policy'] }, /INDEX timeline_by_session/],
  // A task is one turn of a session: its index finds fewer rows.
  ['session and task', { sessionId: 's1', taskId: 't1' }, /INDEX timeline_by_task/],
  ['decision', { decisions: ['deny'] }, /INDEX timeline_by_decision \(decision=\? AND rowid/],
  ['status', { statuses: ['error'] }, /INDEX timeline_by_status \(status=\? AND rowid/],
  ['text', { text: '50%_off' }, TEXT_INDEX],
  ['non-ASCII text', { text: 'Résumé' }, TEXT_INDEX],
  ['text and kind', { text: 'denied', kinds: ['error', 'policy'] }, TEXT_INDEX],
  ['text from a cursor', { text: 'module7/', before: 500 }, TEXT_INDEX],
  // Under 3 characters the trigram index cannot answer: the walk checks each row instead.
  ['short text', { text: 'ab' }, /^SEARCH timeline USING INTEGER PRIMARY KEY \(rowid<\?\)$/],
  ['short text and kind', { text: 'x', kinds: ['error'] }, /INDEX timeline_by_kind/],
];

function expectIndexedWalk(query: TimelinePageQuery, expected: RegExp): void {
  const steps = plan(query);
  const searches = steps.filter((step) => /^(SEARCH|SCAN) /.test(step));
  expect(searches.length).toBeGreaterThan(0);
  for (const step of searches) expect(step).toMatch(expected);
  expect(steps.join('\n')).not.toMatch(/^SCAN timeline$|USE TEMP B-TREE/m);
}

describe('the timeline page query plan', () => {
  it.each(QUERIES)('%s: walks its index in id order, no scan, no sort', (_, query, expected) => {
    expectIndexedWalk(query, expected);
  });

  it('drives a text search of 3 characters or more through the trigram index', () => {
    const steps = plan({ text: 'no such text', kinds: ['policy'] });
    expect(steps[0]).toMatch(/^SCAN timeline_text VIRTUAL TABLE INDEX \d+:M/);
    expect(steps[1]).toBe('SEARCH timeline USING INTEGER PRIMARY KEY (rowid=?)');
  });

  it('merges one index walk per value rather than sorting the matches', () => {
    expect(plan({ kinds: ['policy', 'alert', 'error'] })[0]).toBe('MERGE (UNION ALL)');
  });

  it('keeps these plans once SQLite has statistics on a skewed table', () => {
    const store = new TimelineStore(db);
    store.appendMany(
      Array.from({ length: 5000 }, (_, i) => ({
        kind: i % 50 === 0 ? ('alert' as const) : ('tool_call' as const),
        tool: i % 2 === 0 ? 'file.read' : 'email.send',
        taskId: `task-${i % 7}`,
        sessionId: i % 5 === 0 ? undefined : `session-${i % 2}`,
        decision: i % 100 === 0 ? ('deny' as const) : undefined,
        status: i % 3 === 0 ? 'ok' : undefined,
        summary: `event ${i}`,
      })),
    );
    db.exec('ANALYZE');
    try {
      for (const [, query, expected] of QUERIES) expectIndexedWalk(query, expected);
    } finally {
      db.exec('DROP TABLE sqlite_stat1');
    }
  });
});
