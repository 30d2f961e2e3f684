import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../src-main/store/database.js';
import { migration001 } from '../../../../src-main/store/migrations/001_timeline.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

let db: Database.Database;
afterEach(() => db.close());

function atVersionOne(): Database.Database {
  db = new Database(path.join(makeTempFolder(), 'timeline.sqlite'));
  expect(schemaVersion(db)).toBe(0);
  migrate(db, [migration001]);
  return db;
}

const insert = (kind = 'config') =>
  db
    .prepare('INSERT INTO timeline (time, kind, level, summary) VALUES (?, ?, ?, ?)')
    .run(1, kind, 'INFO', 'summary').lastInsertRowid;

describe('migration 001: timeline', () => {
  it('creates the timeline table with its columns, as a STRICT table', () => {
    atVersionOne();
    expect(schemaVersion(db)).toBe(1);
    const columns = db
      .prepare<[], { name: string; type: string; notnull: number; pk: number }>(
        'SELECT name, type, "notnull", pk FROM pragma_table_info(\'timeline\')',
      )
      .all();
    expect(columns).toEqual([
      { name: 'id', type: 'INTEGER', notnull: 0, pk: 1 },
      { name: 'time', type: 'INTEGER', notnull: 1, pk: 0 },
      { name: 'task_id', type: 'TEXT', notnull: 0, pk: 0 },
      { name: 'kind', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'level', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'tool', type: 'TEXT', notnull: 0, pk: 0 },
      { name: 'operation', type: 'TEXT', notnull: 0, pk: 0 },
      { name: 'decision', type: 'TEXT', notnull: 0, pk: 0 },
      { name: 'status', type: 'TEXT', notnull: 0, pk: 0 },
      { name: 'summary', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'detail', type: 'TEXT', notnull: 0, pk: 0 },
      { name: 'cost_usd', type: 'REAL', notnull: 0, pk: 0 },
    ]);
    const table = db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'timeline'");
    expect(table.get()).toEqual({ strict: 1 });
  });

  it('refuses values of the wrong type and unknown decisions', () => {
    atVersionOne();
    const row = db.prepare(
      'INSERT INTO timeline (time, kind, level, summary, decision) VALUES (?, ?, ?, ?, ?)',
    );
    expect(() => row.run('yesterday', 'config', 'INFO', 's', null)).toThrow(/INTEGER/);
    expect(() => row.run(1, 'config', 'INFO', 's', 'maybe')).toThrow(/CHECK constraint/);
  });

  it('never deletes the newest event, so ids only grow', () => {
    atVersionOne();
    const first = insert();
    const newest = insert();
    expect(() => db.prepare('DELETE FROM timeline WHERE id = ?').run(newest)).toThrow(
      'the newest event is never deleted',
    );
    db.prepare('DELETE FROM timeline WHERE id = ?').run(first);
    expect(insert()).toBeGreaterThan(newest as number);
  });
});
