// TimelineStore.page's query: validated (it arrives from the renderer, which is not trusted
// to send sane values), then turned into SQL that walks an index newest first from the
// cursor and stops after one page, whatever the size of the table.
import { AUDIT_KINDS, type AuditKind } from '../audit/auditEvent.js';
import { trigramQuery } from './timelineText.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;
/** Values per filter list: enough for any picker, and keeps the SQL (one arm each) small. */
export const MAX_FILTER_VALUES = 100;
export const MAX_TEXT_LENGTH = 1000;
const DECISIONS = ['allow', 'ask', 'deny'] as const;

export interface TimelinePageQuery {
  /** Cursor: only events with an id below this one (the previous page's nextCursor). */
  before?: number;
  /** Default 100, at most 1000. */
  limit?: number;
  /** A list keeps events matching any of its values; an empty list matches nothing. */
  kinds?: AuditKind[];
  tools?: string[];
  statuses?: string[];
  decisions?: ('allow' | 'ask' | 'deny')[];
  /**
   * Substring of the summary, case-insensitive; % and _ are plain characters. ASCII text folds
   * ASCII letters only, other text folds as JavaScript's toLowerCase (see timelineText.ts).
   */
  text?: string;
  taskId?: string;
  /** Only the events of this session's turns (AuditEvent.sessionId). */
  sessionId?: string;
}

/** A checked query: lists deduplicated (each value becomes one arm of the SQL). */
export interface ParsedPageQuery {
  before?: number;
  limit: number;
  kinds?: string[];
  tools?: string[];
  statuses?: string[];
  decisions?: string[];
  text?: string;
  taskId?: string;
  sessionId?: string;
}

const FIELDS = new Set([
  'before',
  'limit',
  'kinds',
  'tools',
  'statuses',
  'decisions',
  'text',
  'taskId',
  'sessionId',
]);

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

function fail(field: string, expected: string, value: unknown): never {
  throw new Error(`timeline page: ${field} must be ${expected}, got ${describe(value)}`);
}

function stringList(
  input: Record<string, unknown>,
  field: string,
  allowed?: readonly string[],
): string[] | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_FILTER_VALUES) {
    fail(field, `a list of at most ${MAX_FILTER_VALUES} values`, value);
  }
  value.forEach((item: unknown, index) => {
    if (allowed ? !allowed.includes(item as string) : typeof item !== 'string') {
      fail(`${field}[${index}]`, allowed ? `one of ${allowed.join(', ')}` : 'a string', item);
    }
  });
  return [...new Set(value as string[])];
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_TEXT_LENGTH) {
    fail(field, `a string of at most ${MAX_TEXT_LENGTH} characters`, value);
  }
  return value;
}

export function parsePageQuery(query: unknown): ParsedPageQuery {
  if (query === undefined) return { limit: DEFAULT_PAGE_LIMIT };
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    fail('query', 'an object', query);
  }
  const input = query as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    // A misspelt filter ("kind") silently ignored would show events the user filtered out.
    if (!FIELDS.has(key)) throw new Error(`timeline page: unknown field ${JSON.stringify(key)}`);
  }
  const { before, limit = DEFAULT_PAGE_LIMIT } = input;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PAGE_LIMIT) {
    fail('limit', `a whole number from 1 to ${MAX_PAGE_LIMIT}`, limit);
  }
  if (before !== undefined && (!Number.isSafeInteger(before) || (before as number) < 1)) {
    fail('before', 'an event id (a whole number of at least 1)', before);
  }
  const text = optionalString(input, 'text');
  return {
    before: before as number | undefined,
    limit: limit as number,
    kinds: stringList(input, 'kinds', AUDIT_KINDS),
    tools: stringList(input, 'tools'),
    statuses: stringList(input, 'statuses'),
    decisions: stringList(input, 'decisions', DECISIONS),
    text: text === '' ? undefined : text,
    taskId: optionalString(input, 'taskId'),
    sessionId: optionalString(input, 'sessionId'),
  };
}

export const TIMELINE_COLUMNS =
  'id, time, task_id, kind, level, tool, operation, decision, status, summary, detail, cost_usd, ' +
  'session_id';
/** Registered by TimelineStore: case-insensitive substring for text LIKE cannot fold. */
export const FOLDED_CONTAINS = 'timeline_folded_contains';

export interface PageSql {
  sql: string;
  params: (string | number)[];
}

/** Undefined when a filter list is empty: nothing can match, so there is nothing to ask. */
export function pageSql(query: ParsedPageQuery): PageSql | undefined {
  // [column, its index (migrations 002 and 005), values]. The first present filter drives the
  // query through its index, one arm per value: the likely most selective first, so the walk
  // reads few rows that the other filters then drop. A task is one turn of a session: the
  // task's index finds fewer rows than the session's.
  const filters: [column: string, index: string, values: string[] | undefined][] = [
    ['task_id', 'timeline_by_task', query.taskId === undefined ? undefined : [query.taskId]],
    [
      'session_id',
      'timeline_by_session',
      query.sessionId === undefined ? undefined : [query.sessionId],
    ],
    ['decision', 'timeline_by_decision', query.decisions],
    ['tool', 'timeline_by_tool', query.tools],
    ['status', 'timeline_by_status', query.statuses],
    ['kind', 'timeline_by_kind', query.kinds],
  ];
  const present = filters.filter(
    (filter): filter is [string, string, string[]] => filter[2] !== undefined,
  );
  if (present.some(([, , values]) => values.length === 0)) return undefined;

  const shared = ['id < ?'];
  const sharedParams: (string | number)[] = [query.before ?? Number.MAX_SAFE_INTEGER];
  const indexedText = query.text === undefined ? undefined : trigramQuery(query.text);
  // Text of 3 characters or more drives through the trigram index (migration 003): every
  // other filter is then a check on the rows it finds.
  const checked = indexedText === undefined ? present.slice(1) : present;
  for (const [column, , values] of checked) {
    shared.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    sharedParams.push(...values);
  }
  if (query.text !== undefined) {
    // The filter's own rule, also on the rows the index finds (it finds a superset).
    // LIKE folds ASCII letters only, and runs in C: use it whenever the text is ASCII.
    if (/^[\x20-\x7e]*$/.test(query.text)) {
      shared.push("summary LIKE ? ESCAPE '\\'");
      sharedParams.push(`%${query.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
    } else {
      shared.push(`${FOLDED_CONTAINS}(summary, ?)`);
      sharedParams.push(query.text.toLowerCase());
    }
  }

  const select = `SELECT ${TIMELINE_COLUMNS} FROM timeline`;
  const limit = query.limit + 1; // one more than asked: tells whether there is a next page
  if (indexedText !== undefined) {
    // FTS5 walks its matches newest first from the cursor (rowid < ?) and stops at the
    // limit; each is joined to its row by primary key and checked. No match reads nothing.
    // The other columns are the timeline's alone (the index's is called folded).
    const conditions = ['timeline_text.rowid < ?', ...shared.slice(1)];
    return {
      sql:
        `SELECT ${TIMELINE_COLUMNS.split(', ')
          .map((column) => `timeline.${column}`)
          .join(', ')} FROM timeline_text JOIN timeline ON timeline.id = timeline_text.rowid ` +
        `WHERE timeline_text MATCH ? AND ${conditions.join(' AND ')} ` +
        'ORDER BY timeline_text.rowid DESC LIMIT ?',
      params: [indexedText, ...sharedParams, limit],
    };
  }
  const driving = present[0];
  if (driving === undefined) {
    return {
      sql: `${select} WHERE ${shared.join(' AND ')} ORDER BY id DESC LIMIT ?`,
      params: [...sharedParams, limit],
    };
  }
  // One arm per value, each in id order from its own index: SQLite merges them (MERGE UNION
  // ALL) and stops at the limit, where `column IN (…)` would collect and sort every match.
  // INDEXED BY holds the plan whatever statistics say (ANALYZE may judge a common value
  // cheaper to find by walking the whole table, which a rare value would make a full scan).
  const [column, index, values] = driving;
  const arm = `${select} INDEXED BY ${index} WHERE ${column} = ? AND ${shared.join(' AND ')}`;
  return {
    sql: `${values.map(() => arm).join(' UNION ALL ')} ORDER BY id DESC LIMIT ?`,
    params: [...values.flatMap((value) => [value, ...sharedParams]), limit],
  };
}
