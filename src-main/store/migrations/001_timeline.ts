// The activity timeline: one row per audited event, which the renderer pages through newest
// first with the id as its cursor. STRICT makes SQLite refuse a value of the wrong type
// rather than store it anyway.
//
// The id must only ever grow, or a cursor (or an id the renderer shows) could come back naming
// a different event. SQLite gives max(id) + 1, which grows as long as the newest row is never
// deleted: the trigger makes that a rule. AUTOINCREMENT would give the same guarantee at the
// cost of a write to sqlite_sequence per row, a quarter of the insert rate (measured).
import type { Migration } from '../migration.js';

export const migration001: Migration = {
  version: 1,
  name: 'timeline',
  up(db) {
    db.exec(`
      CREATE TABLE timeline (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        task_id TEXT,
        kind TEXT NOT NULL,
        level TEXT NOT NULL,
        tool TEXT,
        operation TEXT,
        decision TEXT CHECK (decision IN ('allow', 'ask', 'deny')),
        status TEXT,
        summary TEXT NOT NULL,
        detail TEXT,
        cost_usd REAL
      ) STRICT;
      CREATE TRIGGER timeline_keeps_newest BEFORE DELETE ON timeline
      WHEN old.id = (SELECT max(id) FROM timeline)
      BEGIN
        SELECT RAISE(ABORT, 'timeline: the newest event is never deleted, so that ids only grow (add AND id < (SELECT max(id) FROM timeline))');
      END;
    `);
  },
};
