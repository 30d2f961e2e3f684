// Links between conversations and the rest (issue 17):
// - turns.task_id: the task id the turn ran as, so a transcript can show the turn's timeline
//   events (tool calls with their times, confirmations with their answers).
// - turns.owner_pid: the process that runs the turn. At start-up a turn still 'running' is
//   only marked interrupted when its process is gone: the window and `omnipalm chat` may use
//   the same file at once, and one must not cut off the other's live turn.
// - timeline.session_id: every event of a turn carries its session, so the timeline filters
//   by session (a partial index, like the task's: events outside sessions cost nothing).
import type { Migration } from '../migration.js';

export const migration005: Migration = {
  version: 5,
  name: 'session links',
  up(db) {
    db.exec(`
      ALTER TABLE turns ADD COLUMN task_id TEXT;
      ALTER TABLE turns ADD COLUMN owner_pid INTEGER;
      ALTER TABLE timeline ADD COLUMN session_id TEXT;
      CREATE INDEX timeline_by_session ON timeline (session_id) WHERE session_id IS NOT NULL;
      CREATE INDEX turns_by_task ON turns (task_id) WHERE task_id IS NOT NULL;
    `);
  },
};
