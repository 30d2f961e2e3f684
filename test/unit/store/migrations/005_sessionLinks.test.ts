import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../src-main/store/database.js';
import { migration001 } from '../../../../src-main/store/migrations/001_timeline.js';
import { migration002 } from '../../../../src-main/store/migrations/002_timelineIndexes.js';
import { migration003 } from '../../../../src-main/store/migrations/003_timelineText.js';
import { migration004 } from '../../../../src-main/store/migrations/004_sessions.js';
import { migration005 } from '../../../../src-main/store/migrations/005_sessionLinks.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

let db: Database.Database;
afterEach(() => db.close());

const BEFORE = [migration001, migration002, migration003, migration004];

function openAtVersion4(): Database.Database {
  const opened = new Database(path.join(makeTempFolder(), 'timeline.sqlite'));
  opened.pragma('trusted_schema = OFF');
  opened.pragma('foreign_keys = ON');
  migrate(opened, BEFORE);
  return opened;
}

const columns = (table: string) =>
  db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((column) => column.name);

const indexSql = (name: string) =>
  db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?").pluck().get(name);

describe('migration 005: session links', () => {
  it('links timeline rows and turns at version 4, keeping their rows', () => {
    db = openAtVersion4();
    db.exec(`
      INSERT INTO timeline (time, kind, level, summary) VALUES (1, 'config', 'INFO', 'kept');
      INSERT INTO sessions (id, title, created_at, updated_at) VALUES ('s1', 't', 1, 1);
      INSERT INTO turns (id, session_id, seq, prompt, status, started_at)
        VALUES (1, 's1', 1, 'p', 'done', 1);
    `);

    migrate(db, [...BEFORE, migration005]);

    expect(schemaVersion(db)).toBe(5);
    expect(columns('timeline')).toContain('session_id');
    expect(columns('turns')).toEqual(expect.arrayContaining(['task_id', 'owner_pid']));
    // Rows from before sessions belong to none, and the turn to no task yet.
    expect(db.prepare('SELECT summary, session_id FROM timeline').get()).toEqual({
      summary: 'kept',
      session_id: null,
    });
    expect(db.prepare('SELECT task_id, owner_pid FROM turns').get()).toEqual({
      task_id: null,
      owner_pid: null,
    });
  });

  it('indexes only the rows that have a session or a task (partial indexes)', () => {
    db = openAtVersion4();
    migrate(db, [...BEFORE, migration005]);
    // Events outside a session (most of them, in a timeline older than sessions) cost the
    // session index nothing on insert.
    expect(indexSql('timeline_by_session')).toMatch(/\(session_id\) WHERE session_id IS NOT NULL/);
    expect(indexSql('turns_by_task')).toMatch(/\(task_id\) WHERE task_id IS NOT NULL/);
    const plan = db
      .prepare<[string], { detail: string }>(
        'EXPLAIN QUERY PLAN SELECT id FROM timeline WHERE session_id = ? ORDER BY id DESC',
      )
      .all('s1')
      .map((row) => row.detail);
    expect(plan).toEqual([
      'SEARCH timeline USING COVERING INDEX timeline_by_session (session_id=?)',
    ]);
  });
});
