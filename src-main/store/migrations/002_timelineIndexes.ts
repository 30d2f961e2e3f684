// Indexes for TimelineStore.page: every filter is `column = ? AND id < ? ORDER BY id DESC`,
// and an index on (column) ends with the rowid (= id), so SQLite walks it backwards from the
// cursor and stops after one page. Columns that are often empty get partial indexes, which
// cost nothing on insert for the rows they leave out.
import type { Migration } from '../migration.js';

export const migration002: Migration = {
  version: 2,
  name: 'timeline indexes',
  up(db) {
    db.exec(`
      CREATE INDEX timeline_by_kind ON timeline (kind);
      CREATE INDEX timeline_by_tool ON timeline (tool) WHERE tool IS NOT NULL;
      CREATE INDEX timeline_by_task ON timeline (task_id) WHERE task_id IS NOT NULL;
      CREATE INDEX timeline_by_decision ON timeline (decision) WHERE decision IS NOT NULL;
      CREATE INDEX timeline_by_status ON timeline (status) WHERE status IS NOT NULL;
    `);
  },
};
