// A trigram index over each event's summary, so a text search reads the rows that contain
// the text instead of every row (190 ms at a million events when nothing matches).
//
// The index holds the summary as TimelineStore folds it for search (JavaScript's
// toLowerCase, see timelineText.ts) with the tokenizer's case_sensitive 1: SQLite's own
// folding is simpler than JavaScript's (İ, final sigma, scripts newer than Unicode 6.1),
// so folding on both sides in one place keeps the index from missing a row the search
// would find. remove_diacritics stays off (only allowed with case_sensitive 0): "arger"
// must not find "ärger". Contentless (content=''): the summary is already in the timeline;
// contentless_delete lets the trigger drop a row's entry when the row is deleted, so a
// deleted event's text does not stay behind in the index. detail=none keeps only which rows
// hold each trigram: a quarter of the write cost of positions, and the search re-checks every
// candidate row anyway.
//
// A summary is never edited: the index could not follow (the folding runs in JavaScript), so
// the trigger refuses it rather than let the index go stale.
import type { Migration } from '../migration.js';
import { foldForSearch } from '../timelineText.js';

const FOLD_FUNCTION = 'timeline_fold_for_search';

export const migration003: Migration = {
  version: 3,
  name: 'timeline text index',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE timeline_text USING fts5(
        folded, content='', contentless_delete=1, detail=none,
        tokenize='trigram case_sensitive 1'
      );
      CREATE TRIGGER timeline_text_follows_delete AFTER DELETE ON timeline
      BEGIN
        DELETE FROM timeline_text WHERE rowid = old.id;
      END;
      CREATE TRIGGER timeline_summary_is_kept BEFORE UPDATE OF summary ON timeline
      BEGIN
        SELECT RAISE(ABORT, 'timeline: an event''s summary is never changed (the text index holds it folded)');
      END;
    `);
    // The folding runs in JavaScript; directOnly: no trigger or view in the file can call it.
    db.function(FOLD_FUNCTION, { deterministic: true, directOnly: true }, (summary) =>
      typeof summary === 'string' ? foldForSearch(summary) : '',
    );
    db.exec(
      `INSERT INTO timeline_text (rowid, folded) SELECT id, ${FOLD_FUNCTION}(summary) FROM timeline`,
    );
  },
};
