import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../src-main/store/database.js';
import { migration001 } from '../../../../src-main/store/migrations/001_timeline.js';
import { migration002 } from '../../../../src-main/store/migrations/002_timelineIndexes.js';
import { migration003 } from '../../../../src-main/store/migrations/003_timelineText.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

let db: Database.Database;
afterEach(() => db.close());

const matching = (query: string) =>
  db
    .prepare<[string], number>('SELECT rowid FROM timeline_text WHERE timeline_text MATCH ?')
    .pluck()
    .all(query);

describe('migration 003: timeline text index', () => {
  it('indexes the folded summaries of a database at version 2, keeping its rows', () => {
    db = new Database(path.join(makeTempFolder(), 'timeline.sqlite'));
    db.pragma('trusted_schema = OFF');
    migrate(db, [migration001, migration002]);
    const insert = db.prepare(
      "INSERT INTO timeline (time, kind, level, summary) VALUES (1, 'config', 'INFO', ?)",
    );
    for (const summary of ['ÄRGER im Büro', 'STRAßE', 'plain words']) insert.run(summary);

    migrate(db, [migration001, migration002, migration003]);

    expect(schemaVersion(db)).toBe(3);
    expect(matching('"ärg"')).toEqual([1]);
    expect(matching('"ÄRG"')).toEqual([]); // the index holds the folded text only
    expect(matching('"aße"')).toEqual([2]);
    expect(matching('"pla" AND "ord"')).toEqual([3]);
    expect(db.prepare('SELECT count(*) FROM timeline').pluck().get()).toBe(3);
  });

  it('drops a deleted row from the index and refuses to change a summary', () => {
    db = new Database(path.join(makeTempFolder(), 'timeline.sqlite'));
    db.pragma('trusted_schema = OFF');
    migrate(db, [migration001, migration002, migration003]);
    const insert = db.prepare(
      "INSERT INTO timeline (time, kind, level, summary) VALUES (1, 'config', 'INFO', ?)",
    );
    const index = db.prepare('INSERT INTO timeline_text (rowid, folded) VALUES (?, ?)');
    for (const summary of ['secret plans', 'newest']) {
      index.run(insert.run(summary).lastInsertRowid, summary);
    }
    db.prepare('DELETE FROM timeline WHERE id = 1').run();
    expect(matching('"pla"')).toEqual([]);
    expect(() => db.prepare("UPDATE timeline SET summary = 'x' WHERE id = 2").run()).toThrow(
      "an event's summary is never changed",
    );
  });
});
