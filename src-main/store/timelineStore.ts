// The activity timeline: every audited event as a row the renderer's timeline pages through,
// newest first. The audit log stays the tamper-evident record; this is its searchable view.
// Callers pass the summary and detail already redacted: nothing here looks inside them.
import path from 'node:path';
import type Database from 'better-sqlite3';
import {
  AUDIT_KINDS,
  AUDIT_LEVELS,
  type AuditEvent,
  type AuditKind,
  type AuditLevel,
  defaultLevel,
} from '../audit/auditEvent.js';
import {
  FOLDED_CONTAINS,
  pageSql,
  parsePageQuery,
  TIMELINE_COLUMNS,
  type TimelinePageQuery,
} from './timelineQuery.js';
import { foldForSearch } from './timelineText.js';

export type { TimelinePageQuery } from './timelineQuery.js';

/**
 * An audited event as the timeline keeps it: the caller's one-line summary and its detail
 * (any JSON-serializable value), both already redacted. The audit line's own name, text and
 * fields are not stored: what the timeline shows of them is in the summary and detail.
 */
export type TimelineInput = AuditEvent & { summary: string; detail?: unknown };

export interface TimelineEvent {
  /** Increases with every append: the paging cursor. */
  id: number;
  /** Milliseconds since the epoch. */
  time: number;
  kind: AuditKind;
  level: AuditLevel;
  summary: string;
  taskId?: string;
  /** The session whose turn recorded it. */
  sessionId?: string;
  tool?: string;
  operation?: string;
  decision?: 'allow' | 'ask' | 'deny';
  status?: string;
  detail?: unknown;
  costUsd?: number;
}

export interface TimelinePage {
  events: TimelineEvent[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  nextCursor?: number;
}

export interface TimelineWriter {
  append(event: TimelineInput): number;
  appendMany(events: readonly TimelineInput[]): void;
}

export interface TimelineReader {
  page(query?: TimelinePageQuery): TimelinePage;
}

export interface TimelineStoreOptions {
  /** Milliseconds since the epoch, for events without a time. */
  now?: () => number;
}

export function timelineDatabaseFile(omnipalmHome: string): string {
  return path.join(omnipalmHome, 'state', 'timeline.sqlite');
}

type Row = [
  time: number,
  taskId: string | null,
  kind: string,
  level: string,
  tool: string | null,
  operation: string | null,
  decision: string | null,
  status: string | null,
  summary: string,
  detail: string | null,
  costUsd: number | null,
  sessionId: string | null,
];

interface StoredRow {
  id: number;
  time: number;
  task_id: string | null;
  kind: AuditKind;
  level: AuditLevel;
  tool: string | null;
  operation: string | null;
  decision: 'allow' | 'ask' | 'deny' | null;
  status: string | null;
  summary: string;
  detail: string | null;
  cost_usd: number | null;
  session_id: string | null;
}

const KINDS = new Set<string>(AUDIT_KINDS);
const LEVELS = new Set<string>(AUDIT_LEVELS);
const DECISIONS = new Set<string>(['allow', 'ask', 'deny']);
/** Distinct page shapes kept prepared; past this the cache starts over. */
const STATEMENT_CACHE_SIZE = 200;

export class TimelineStore implements TimelineWriter, TimelineReader {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #insert: Database.Statement<[Row]>;
  readonly #appendOne: (event: TimelineInput) => number;
  readonly #insertMany: (events: readonly TimelineInput[]) => void;
  readonly #pages = new Map<string, Database.Statement<(string | number)[], StoredRow>>();

  constructor(db: Database.Database, options: TimelineStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#insert = db.prepare<[Row]>(
      `INSERT INTO timeline (${TIMELINE_COLUMNS.replace('id, ', '')}) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const indexText = db.prepare<[number | bigint, string]>(
      'INSERT INTO timeline_text (rowid, folded) VALUES (?, ?)',
    );
    // The row and its text index entry (migration 003) in the same transaction: a search
    // never misses a stored event, and a failed insert leaves neither behind.
    const insertOne = (row: Row): number | bigint => {
      const id = this.#insert.run(row).lastInsertRowid;
      indexText.run(id, foldForSearch(row[8]));
      return id;
    };
    const appendOne = db.transaction((event: TimelineInput) =>
      Number(insertOne(this.#toRow(event))),
    );
    const insertAll = db.transaction((events: readonly TimelineInput[]) => {
      for (let index = 0; index < events.length; index++) {
        insertOne(this.#toRow(events[index] as TimelineInput, index));
      }
    });
    // IMMEDIATE takes the write lock up front: a deferred transaction that had to upgrade
    // could fail with SQLITE_BUSY at once instead of waiting out the busy timeout.
    this.#appendOne = (event) => appendOne.immediate(event);
    this.#insertMany = (events) => insertAll.immediate(events);
    // directOnly: callable from our queries only, never from a trigger or view in the file.
    db.function(FOLDED_CONTAINS, { deterministic: true, directOnly: true }, (summary, text) =>
      typeof summary === 'string' && typeof text === 'string'
        ? Number(summary.toLowerCase().includes(text))
        : 0,
    );
  }

  /** Stores one event; returns its id. */
  append(event: TimelineInput): number {
    return this.#appendOne(event);
  }

  /** Stores all the events in one transaction, or none of them if one is invalid. */
  appendMany(events: readonly TimelineInput[]): void {
    if (!Array.isArray(events)) throw new Error('timeline: appendMany expects a list of events');
    this.#insertMany(events);
  }

  /** Newest first, from `before` (exclusive). Throws an Error naming a field that is invalid. */
  page(query?: TimelinePageQuery): TimelinePage {
    const parsed = parsePageQuery(query);
    const built = pageSql(parsed);
    if (built === undefined) return { events: [] };
    const rows = this.#statement(built.sql).all(...built.params);
    const events = rows.slice(0, parsed.limit).map(toEvent);
    const last = events.at(-1);
    return rows.length > parsed.limit && last ? { events, nextCursor: last.id } : { events };
  }

  #statement(sql: string): Database.Statement<(string | number)[], StoredRow> {
    let statement = this.#pages.get(sql);
    if (!statement) {
      if (this.#pages.size >= STATEMENT_CACHE_SIZE) this.#pages.clear();
      statement = this.#db.prepare<(string | number)[], StoredRow>(sql);
      this.#pages.set(sql, statement);
    }
    return statement;
  }

  #toRow(event: TimelineInput, index?: number): Row {
    if (typeof event !== 'object' || event === null) invalid(index, 'it', 'an object', event);
    const { kind, summary, decision, costUsd } = event;
    const level = event.level ?? defaultLevel(kind);
    const time =
      event.time === undefined
        ? this.#now()
        : event.time instanceof Date
          ? event.time.getTime()
          : Number.NaN;
    let detail: string | undefined;
    if (event.detail !== undefined) {
      try {
        detail = JSON.stringify(event.detail);
      } catch (error) {
        invalid(index, 'detail', 'JSON-serializable', (error as Error).message);
      }
    }
    // One combined test on the hot path; the details only once something is wrong.
    if (
      !KINDS.has(kind) ||
      !LEVELS.has(level) ||
      !Number.isFinite(time) ||
      typeof summary !== 'string' ||
      (decision !== undefined && !DECISIONS.has(decision)) ||
      (costUsd !== undefined && !Number.isFinite(costUsd))
    ) {
      explainInvalid(event, level, time, index);
    }
    return [
      Math.round(time),
      event.taskId ?? null,
      kind,
      level,
      event.tool ?? null,
      event.operation ?? null,
      decision ?? null,
      event.status ?? null,
      summary,
      detail ?? null,
      costUsd ?? null,
      event.sessionId ?? null,
    ];
  }
}

function invalid(index: number | undefined, field: string, expected: string, got: unknown): never {
  const where = index === undefined ? 'timeline event' : `timeline events[${index}]`;
  throw new Error(`${where}: ${field} must be ${expected}, got ${String(got)}`);
}

function explainInvalid(event: TimelineInput, level: string, time: number, index?: number): never {
  const { kind, summary, decision, costUsd } = event;
  if (!KINDS.has(kind)) invalid(index, 'kind', `one of ${AUDIT_KINDS.join(', ')}`, kind);
  if (!LEVELS.has(level)) invalid(index, 'level', `one of ${AUDIT_LEVELS.join(', ')}`, level);
  if (!Number.isFinite(time)) invalid(index, 'time', 'a valid date', event.time);
  if (typeof summary !== 'string') invalid(index, 'summary', 'a string', summary);
  if (decision !== undefined && !DECISIONS.has(decision)) {
    invalid(index, 'decision', 'allow, ask or deny', decision);
  }
  return invalid(index, 'costUsd', 'a finite number', costUsd);
}

function toEvent(row: StoredRow): TimelineEvent {
  const event: TimelineEvent = {
    id: row.id,
    time: row.time,
    kind: row.kind,
    level: row.level,
    summary: row.summary,
  };
  if (row.task_id !== null) event.taskId = row.task_id;
  if (row.session_id !== null) event.sessionId = row.session_id;
  if (row.tool !== null) event.tool = row.tool;
  if (row.operation !== null) event.operation = row.operation;
  if (row.decision !== null) event.decision = row.decision;
  if (row.status !== null) event.status = row.status;
  if (row.detail !== null) event.detail = parseDetail(row.detail);
  if (row.cost_usd !== null) event.costUsd = row.cost_usd;
  return event;
}

function parseDetail(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // written by something other than this store: show it as it is
  }
}
