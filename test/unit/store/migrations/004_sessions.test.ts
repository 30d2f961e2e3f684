import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../src-main/store/database.js';
import { migration001 } from '../../../../src-main/store/migrations/001_timeline.js';
import { migration002 } from '../../../../src-main/store/migrations/002_timelineIndexes.js';
import { migration003 } from '../../../../src-main/store/migrations/003_timelineText.js';
import { migration004 } from '../../../../src-main/store/migrations/004_sessions.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

let db: Database.Database;
afterEach(() => db.close());

function openAtVersion3(): Database.Database {
  const opened = new Database(path.join(makeTempFolder(), 'timeline.sqlite'));
  opened.pragma('trusted_schema = OFF');
  opened.pragma('foreign_keys = ON');
  migrate(opened, [migration001, migration002, migration003]);
  return opened;
}

const ALL = [migration001, migration002, migration003, migration004];
const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

describe('migration 004: sessions', () => {
  it('adds the session tables to a database at version 3, keeping its timeline rows', () => {
    db = openAtVersion3();
    db.prepare(
      "INSERT INTO timeline (time, kind, level, summary) VALUES (1, 'config', 'INFO', 'kept')",
    ).run();

    migrate(db, ALL);

    expect(schemaVersion(db)).toBe(4);
    expect(count('timeline')).toBe(1);
    const indexes = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all();
    expect(indexes).toEqual(
      expect.arrayContaining(['sessions_newest_first', 'turns_by_session', 'turns_one_running']),
    );
  });

  it('deletes a session’s turns and messages with it', () => {
    db = openAtVersion3();
    migrate(db, ALL);
    db.exec(`
      INSERT INTO sessions (id, title, created_at, updated_at) VALUES ('s1', 't', 1, 1);
      INSERT INTO turns (id, session_id, seq, prompt, status, started_at)
        VALUES (1, 's1', 1, 'p', 'done', 1);
      INSERT INTO turn_messages (turn_id, seq, role, content) VALUES (1, 1, 'user', '"p"');
    `);
    db.exec("DELETE FROM sessions WHERE id = 's1'");
    expect([count('turns'), count('turn_messages')]).toEqual([0, 0]);
  });

  it('refuses a second running turn in one session, a bad status or role, and bad JSON', () => {
    db = openAtVersion3();
    migrate(db, ALL);
    db.exec(`
      INSERT INTO sessions (id, title, created_at, updated_at) VALUES ('s1', 't', 1, 1);
      INSERT INTO turns (id, session_id, seq, prompt, status, started_at)
        VALUES (1, 's1', 1, 'p', 'running', 1);
    `);
    const turn = db.prepare(
      "INSERT INTO turns (session_id, seq, prompt, status, started_at) VALUES ('s1', ?, 'p', ?, 1)",
    );
    expect(() => turn.run(2, 'running')).toThrow(/UNIQUE/);
    expect(() => turn.run(2, 'paused')).toThrow(/CHECK/);
    expect(() => turn.run(1, 'done')).toThrow(/UNIQUE/); // one seq per session
    const message = db.prepare(
      'INSERT INTO turn_messages (turn_id, seq, role, content) VALUES (1, ?, ?, ?)',
    );
    expect(() => message.run(1, 'system', '"x"')).toThrow(/CHECK/);
    expect(() => message.run(1, 'user', '{not json')).toThrow(/CHECK/);
    expect(() => message.run(1, 'user', '"x"')).not.toThrow();
    expect(() =>
      db.exec(`INSERT INTO turns (session_id, seq, prompt, status, started_at)
               VALUES ('nobody', 1, 'p', 'done', 1)`),
    ).toThrow(/FOREIGN KEY/);
  });
});
