// How the timeline's text filter folds case, shared by the index (migration 003 and every
// insert) and the search, so the two can never disagree. The filter's meaning predates the
// index and is kept exactly:
// - ASCII text: SQLite's LIKE, which folds ASCII letters only ("STRASSE" finds "strasse",
//   not "straße");
// - any other text: JavaScript's toLowerCase on both sides, then a plain substring
//   ("ÄRGER" finds "ärger"; "straße" finds "STRAßE" but not "STRASSE").
// The index holds foldForSearch(summary). Whenever either rule finds a summary, the folded
// summary contains the folded text (toLowerCase lowers ASCII as LIKE does and never splits
// what it keeps), so the index never misses a row; the rule itself then re-checks each
// candidate, so the index never adds one either.

/** What the index stores for a summary, and what a search looks for in it. */
export function foldForSearch(text: string): string {
  return text.toLowerCase();
}

/** A trigram index answers only for text of 3 characters (code points) or more. */
export const MIN_INDEXED_LENGTH = 3;
/** Enough trigrams to make a search selective; more only lengthen the query. */
const MAX_QUERY_TRIGRAMS = 24;

/**
 * The FTS5 query for rows whose folded summary holds every trigram of the folded text, or
 * undefined when the text is too short for the index. With detail=none FTS5 cannot match a
 * phrase, so this is an AND of trigrams: a superset the caller re-checks row by row.
 */
export function trigramQuery(text: string): string | undefined {
  const characters = Array.from(foldForSearch(text));
  if (characters.length < MIN_INDEXED_LENGTH) return undefined;
  const trigrams = new Set<string>();
  for (let index = 0; index + 3 <= characters.length; index++) {
    trigrams.add(characters.slice(index, index + 3).join(''));
  }
  let chosen = [...trigrams];
  if (chosen.length > MAX_QUERY_TRIGRAMS) {
    // Spread over the whole text, first and last included.
    const step = (chosen.length - 1) / (MAX_QUERY_TRIGRAMS - 1);
    chosen = Array.from(
      { length: MAX_QUERY_TRIGRAMS },
      (_, index) => chosen[Math.round(index * step)] as string,
    );
  }
  // Each trigram a quoted string ("" escapes a quote): FTS5 reads nothing inside as syntax.
  return chosen.map((trigram) => `"${trigram.replaceAll('"', '""')}"`).join(' AND ');
}
