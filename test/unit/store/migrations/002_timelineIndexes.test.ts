import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../src-main/store/database.js';
import { migration001 } from '../../../../src-main/store/migrations/001_timeline.js';
import { migration002 } from '../../../../src-main/store/migrations/002_timelineIndexes.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

let db: Database.Database;
afterEach(() => db.close());

describe('migration 002: timeline indexes', () => {
  it('indexes each filter column of a database at version 1, keeping its rows', () => {
    db = new Database(path.join(makeTempFolder(), 'timeline.sqlite'));
    migrate(db, [migration001]);
    db.prepare(
      "INSERT INTO timeline (time, kind, level, summary, tool) VALUES (1, 'tool_call', 'INFO', 'kept', 'file.read')",
    ).run();

    migrate(db, [migration001, migration002]);

    expect(schemaVersion(db)).toBe(2);
    const indexes = db
      .prepare<[], { name: string; partial: number }>(
        "SELECT name, partial FROM pragma_index_list('timeline') ORDER BY name",
      )
      .all()
      .map((index) => ({
        ...index,
        columns: db
          .prepare<[string], { name: string }>('SELECT name FROM pragma_index_info(?)')
          .all(index.name)
          .map((column) => column.name),
      }));
    expect(indexes).toEqual([
      { name: 'timeline_by_decision', partial: 1, columns: ['decision'] },
      { name: 'timeline_by_kind', partial: 0, columns: ['kind'] },
      { name: 'timeline_by_status', partial: 1, columns: ['status'] },
      { name: 'timeline_by_task', partial: 1, columns: ['task_id'] },
      { name: 'timeline_by_tool', partial: 1, columns: ['tool'] },
    ]);
    expect(db.prepare('SELECT summary FROM timeline').pluck().all()).toEqual(['kept']);
  });
});
