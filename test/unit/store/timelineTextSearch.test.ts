// The text filter through the trigram index finds exactly what it found before the index:
// ASCII text folds ASCII letters only (SQLite's LIKE), other text folds as JavaScript's
// toLowerCase; under 3 characters the index cannot answer and every row is checked instead.
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/database.js';
import { TimelineStore } from '../../../src-main/store/timelineStore.js';
import { makeTempFolder } from '../../support/tempFolders.js';

let db: Database.Database;
afterEach(() => db.close());

const SUMMARIES = [
  'Ärger mit dem Drucker',
  'ärger im Büro',
  'ÄRGER',
  'Die STRASSE ist lang',
  'die straße ist kurz',
  'STRAßE',
  'İstanbul trip',
  'ΟΔΟΣ Σ end',
  'Kelvin 5 \u212a',
  'plain ascii: Read FILE',
  'emoji 😀 here',
  'a',
  'ab',
];

/** The filter as it was before the index: the reference the index must agree with. */
function reference(text: string): string[] {
  const ascii = /^[\x20-\x7e]*$/.test(text);
  const fold = (value: string) =>
    ascii ? value.replace(/[A-Z]/g, (c) => c.toLowerCase()) : value.toLowerCase();
  return SUMMARIES.filter((summary) => fold(summary).includes(fold(text))).reverse();
}

function store(): TimelineStore {
  db = openDatabase(path.join(makeTempFolder('omnipalm-timeline-'), 'timeline.sqlite'));
  const timeline = new TimelineStore(db);
  timeline.appendMany(SUMMARIES.map((summary) => ({ kind: 'tool_call', summary })));
  return timeline;
}

const found = (timeline: TimelineStore, text: string) =>
  timeline.page({ text }).events.map((event) => event.summary);

describe('timeline text search through the trigram index', () => {
  it.each([
    ['ÄRGER', ['ÄRGER', 'ärger im Büro', 'Ärger mit dem Drucker']],
    ['ärger', ['ÄRGER', 'ärger im Büro', 'Ärger mit dem Drucker']],
    ['straße', ['STRAßE', 'die straße ist kurz']],
    ['STRASSE', ['Die STRASSE ist lang']],
    ['strasse', ['Die STRASSE ist lang']],
    ['RGER', ['ÄRGER', 'ärger im Büro', 'Ärger mit dem Drucker']],
  ])('%s finds what the filter always found', (text, expected) => {
    const timeline = store();
    expect(found(timeline, text)).toEqual(expected);
    expect(found(timeline, text)).toEqual(reference(text));
  });

  it('agrees with the filter for every substring of every summary, in any case', () => {
    const timeline = store();
    const texts = new Set<string>();
    for (const summary of SUMMARIES) {
      const characters = Array.from(summary);
      for (let start = 0; start < characters.length; start += 2) {
        for (const length of [1, 2, 3, 4, 7]) {
          const text = characters.slice(start, start + length).join('');
          texts.add(text).add(text.toUpperCase()).add(text.toLowerCase());
        }
      }
    }
    texts.delete('');
    for (const text of texts)
      expect([text, found(timeline, text)]).toEqual([text, reference(text)]);
  });

  it('finds text under 3 characters by checking every row', () => {
    const timeline = store();
    expect(found(timeline, 'Ab')).toEqual(['ab']);
    expect(found(timeline, 'ä')).toEqual(reference('ä'));
    expect(found(timeline, '😀')).toEqual(['emoji 😀 here']);
  });

  it('pages through matches from the cursor, other filters applied', () => {
    db = openDatabase(path.join(makeTempFolder('omnipalm-timeline-'), 'timeline.sqlite'));
    const timeline = new TimelineStore(db);
    timeline.appendMany(
      Array.from({ length: 30 }, (_, i) => ({
        kind: i % 2 ? ('tool_call' as const) : ('policy' as const),
        summary: `match ${i}`,
      })),
    );
    const first = timeline.page({ text: 'MATCH', kinds: ['policy'], limit: 5 });
    expect(first.events.map((e) => e.summary)).toEqual([
      'match 28',
      'match 26',
      'match 24',
      'match 22',
      'match 20',
    ]);
    const second = timeline.page({
      text: 'MATCH',
      kinds: ['policy'],
      limit: 5,
      before: first.nextCursor,
    });
    expect(second.events[0]?.summary).toBe('match 18');
  });

  it('forgets deleted events: the index keeps in step with the table', () => {
    const timeline = store();
    db.prepare(
      "DELETE FROM timeline WHERE summary LIKE '%rger%' AND id < (SELECT max(id) FROM timeline)",
    ).run();
    expect(found(timeline, 'ärger')).toEqual([]);
    const indexed = db.prepare('SELECT count(*) FROM timeline_text WHERE timeline_text MATCH ?');
    expect(indexed.pluck().get('"rge"')).toBe(0);
    expect(timeline.append({ kind: 'error', summary: 'neuer Ärger' })).toBeGreaterThan(0);
    expect(found(timeline, 'ÄRGER')).toEqual(['neuer Ärger']);
  });
});
