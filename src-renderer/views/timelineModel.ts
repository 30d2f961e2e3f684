// What the Timeline view filters on and how a live event is matched against the page query.
import type { EventPayloadOf, RequestOf, ResponseOf } from '../../src-preload/contract';

export type PageEvent = ResponseOf<'timeline.page'>['events'][number];
export type LiveEvent = EventPayloadOf<'timeline.event'>;
/** A row: paged events carry their id; live ones have none until the next page query. */
export type TimelineEntry = Omit<PageEvent, 'id'> & { id?: number };
export interface TimelineRow {
  key: string;
  entry: TimelineEntry;
}
export type TimelineQuery = Omit<RequestOf<'timeline.page'>, 'before' | 'limit'>;

export interface TimelineFilters {
  kind: string;
  tool: string;
  status: string;
  decision: string;
  text: string;
  /** Only the events of this session's turns: set by a link, shown as a chip that clears it. */
  session: string;
}

export const NO_FILTERS: TimelineFilters = {
  kind: '',
  tool: '',
  status: '',
  decision: '',
  text: '',
  session: '',
};

/** The page request for the filters: empty fields are left out, not sent as "". */
export function queryOf(filters: TimelineFilters): TimelineQuery {
  const query: TimelineQuery = {};
  if (filters.kind) query.kinds = [filters.kind as PageEvent['kind']];
  if (filters.tool.trim()) query.tools = [filters.tool.trim()];
  if (filters.status.trim()) query.statuses = [filters.status.trim()];
  if (filters.decision) query.decisions = [filters.decision as 'allow' | 'ask' | 'deny'];
  if (filters.text.trim()) query.text = filters.text.trim();
  if (filters.session) query.sessionId = filters.session;
  return query;
}

/** Whether a live event belongs in the list the current query shows. */
export function matchesQuery(event: LiveEvent, query: TimelineQuery): boolean {
  if (query.kinds && !query.kinds.includes(event.kind)) return false;
  if (query.tools && !(event.tool !== undefined && query.tools.includes(event.tool))) return false;
  if (query.statuses && !(event.status !== undefined && query.statuses.includes(event.status))) {
    return false;
  }
  // Live events carry no decision: with a decision filter they wait for the next page query.
  if (query.decisions) return false;
  if (query.taskId && event.taskId !== query.taskId) return false;
  if (query.sessionId && event.sessionId !== query.sessionId) return false;
  if (query.text && !event.summary.toLowerCase().includes(query.text.toLowerCase())) return false;
  return true;
}

/**
 * The Timeline showing one session's events: `#timeline?session=<id>`. A transcript's "show in
 * timeline" link sets this address; the Timeline view follows it (and the `sessionId` prop).
 */
export function timelineHashFor(sessionId: string): string {
  return `#timeline?${new URLSearchParams({ session: sessionId }).toString()}`;
}

/** What a session id may look like in an address (sessionStore's are 32 hex characters). */
const SESSION_IN_ADDRESS = /^[\w-]{1,200}$/;

/**
 * The session a `#timeline?session=<id>` address asks for; undefined for any other address.
 * The address is anyone's to write (a link, a bookmark): an id of odd characters is ignored.
 */
export function sessionFromHash(hash: string): string | undefined {
  const match = /^#timeline\?(.*)$/.exec(hash);
  if (!match) return undefined;
  const session = new URLSearchParams(match[1]).get('session');
  return session !== null && SESSION_IN_ADDRESS.test(session) ? session : undefined;
}

/** How the chip names a session: the id's first characters are enough to tell them apart. */
export function shortSessionId(sessionId: string): string {
  return sessionId.length > 8 ? `${sessionId.slice(0, 8)}…` : sessionId;
}

export function formatTime(epochMilliseconds: number): string {
  const date = new Date(epochMilliseconds);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * Counts in the user's locale ("100,000"). The formatter is built when the module loads: the first
 * `Number#toLocaleString` call loads ICU's number data, about 100 ms in Chromium, which would
 * otherwise land between the click on the Timeline tab and its first row.
 */
const COUNT_FORMAT = new Intl.NumberFormat();
export function formatCount(count: number): string {
  return COUNT_FORMAT.format(count);
}

/** Events one timeline page asks for (the view and the store's head page alike). */
export const TIMELINE_PAGE_SIZE = 200;

/**
 * A freshly loaded page with the live events that arrived while it was on its way (newest
 * first): those the page already holds — same time, kind and summary — are dropped, the rest go
 * on top, so an event is neither lost nor shown twice.
 */
export function mergeLiveRows(
  pageRows: readonly TimelineRow[],
  arrived: readonly TimelineRow[],
): TimelineRow[] {
  if (arrived.length === 0) return [...pageRows];
  const identity = (entry: TimelineEntry) =>
    `${entry.time}\u0000${entry.kind}\u0000${entry.summary}`;
  const inPage = new Set(pageRows.map((row) => identity(row.entry)));
  return [...arrived.filter((row) => !inPage.has(identity(row.entry))), ...pageRows];
}
