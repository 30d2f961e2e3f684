// Conversations (issue 17): a session is an ordered list of turns, a turn one prompt and the
// model messages its work produced. The rows hold exactly what was sent to the model, which
// the caller has already redacted: this file never sees a raw secret (see sessionStore.ts).
//
// - A session's id is random text, so ids from one OMNIPALM_HOME say nothing about another's
//   and cannot be guessed from a neighbour's. Its cost and untrusted sources are the session's
//   security state: they outlive each turn, and a restart must not reset them.
// - Deleting a session takes its turns and their messages with it (ON DELETE CASCADE): the
//   user asked for the conversation to be gone, so no message row may stay behind.
// - At most one running turn per session, enforced here (a unique partial index) and not only
//   in code: the window and `omnipalm chat` may hold the same file open at once.
// - Indexes: the sidebar walks sessions newest first; a page of turns and the context of the
//   next request walk (session_id, seq); a turn's messages are its primary key in order.
import type { Migration } from '../migration.js';

export const migration004: Migration = {
  version: 4,
  name: 'sessions',
  up(db) {
    db.exec(`
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY NOT NULL,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        cost_usd REAL NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
        untrusted_sources TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(untrusted_sources))
      ) STRICT;
      CREATE INDEX sessions_newest_first ON sessions (updated_at DESC, id DESC);

      CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        prompt TEXT NOT NULL,
        status TEXT NOT NULL
          CHECK (status IN ('running', 'done', 'denied', 'stopped', 'error', 'interrupted')),
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        cost_usd REAL NOT NULL DEFAULT 0 CHECK (cost_usd >= 0)
      ) STRICT;
      CREATE UNIQUE INDEX turns_by_session ON turns (session_id, seq);
      CREATE UNIQUE INDEX turns_one_running ON turns (session_id) WHERE status = 'running';

      CREATE TABLE turn_messages (
        turn_id INTEGER NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL CHECK (json_valid(content)),
        PRIMARY KEY (turn_id, seq)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
