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
}

export const NO_FILTERS: TimelineFilters = {
  kind: '',
  tool: '',
  status: '',
  decision: '',
  text: '',
};

/** The page request for the filters: empty fields are left out, not sent as "". */
export function queryOf(filters: TimelineFilters): TimelineQuery {
  const query: TimelineQuery = {};
  if (filters.kind) query.kinds = [filters.kind as PageEvent['kind']];
  if (filters.tool.trim()) query.tools = [filters.tool.trim()];
  if (filters.status.trim()) query.statuses = [filters.status.trim()];
  if (filters.decision) query.decisions = [filters.decision as 'allow' | 'ask' | 'deny'];
  if (filters.text.trim()) query.text = filters.text.trim();
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
  if (query.text && !event.summary.toLowerCase().includes(query.text.toLowerCase())) return false;
  return true;
}

export function formatTime(epochMilliseconds: number): string {
  const date = new Date(epochMilliseconds);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
