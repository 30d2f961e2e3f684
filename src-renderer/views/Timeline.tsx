// The activity timeline: every audited event, newest first, filtered by the store's own query
// (timeline.page) and followed live (timeline.event). Only the rows in view are in the DOM.
// One session's events: <Timeline sessionId={id} />, or the address #timeline?session=<id>
// (timelineHashFor); the filter shows as a chip the user can clear.
import {
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { TIMELINE_KINDS, type EventPayloadOf } from '../../src-preload/contract';
import { useBridge } from '../bridge';
import { AppStoreContext, type AppStore } from '../store';
import { useDebounced } from './useDebounced';
import { errorText } from './errorText';
import { VirtualList, type VisibleSlice } from './VirtualList';
import {
  formatCount,
  formatTime,
  matchesQuery,
  mergeLiveRows,
  NO_FILTERS,
  queryOf,
  sessionFromHash,
  shortSessionId,
  TIMELINE_PAGE_SIZE,
  type TimelineEntry,
  type TimelineFilters,
  type TimelineRow,
} from './timelineModel';
import './views.css';

export const TIMELINE_ROW_HEIGHT = 28;
/** Load the next older page when the view comes this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = 40;

type Verification =
  | { state: 'checking' }
  | { state: 'verified'; lines: number }
  | { state: 'broken'; message: string };

export interface TimelineProps {
  /** Open on this session's events (the address #timeline?session=<id> does the same). */
  sessionId?: string;
}

export function Timeline({ sessionId }: TimelineProps = {}) {
  const bridge = useBridge();
  const [filters, setFilters] = useState<TimelineFilters>(() => ({
    ...NO_FILTERS,
    session: sessionId ?? sessionFromHash(window.location.hash) ?? '',
  }));
  const tool = useDebounced(filters.tool, 250);
  const status = useDebounced(filters.status, 250);
  const text = useDebounced(filters.text, 250);
  const session = filters.session;
  const query = useMemo(
    () => queryOf({ kind: filters.kind, decision: filters.decision, tool, status, text, session }),
    [filters.kind, filters.decision, tool, status, text, session],
  );
  const queryKey = JSON.stringify(query);

  // The store's head page (loaded at start-up, kept live) stands for the unfiltered first page:
  // the view opens on it at once instead of waiting for a query.
  const store = useContext(AppStoreContext);
  const [initialHead] = useState(() => loadedHead(store, query));
  const [rows, setRows] = useState<readonly TimelineRow[]>(initialHead?.rows ?? []);
  const [nextCursor, setNextCursor] = useState<number | undefined>(initialHead?.nextCursor);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [selectedKey, setSelectedKey] = useState<string | undefined>();
  const [alert, setAlert] = useState<EventPayloadOf<'monitor.alert'> | undefined>();
  const [verification, setVerification] = useState<Verification>({ state: 'checking' });
  const listRef = useRef<HTMLDivElement>(null);
  // Answers to an older query are dropped: the filters changed while the page was loading.
  const generation = useRef(0);
  const queryRef = useRef(query);
  const liveCounter = useRef(0);
  /** Live events that arrived while the first page of a query was on its way. */
  const arrivedWhileLoading = useRef<TimelineRow[]>([]);
  const firstPageLoading = useRef(false);

  useEffect(() => {
    queryRef.current = query;
    const current = ++generation.current;
    setLoadError(undefined);
    const head = loadedHead(store, query);
    firstPageLoading.current = false;
    if (head) {
      setRows(head.rows);
      setNextCursor(head.nextCursor);
      setLoading(false);
      return;
    }
    setRows([]);
    setNextCursor(undefined);
    setLoading(true);
    firstPageLoading.current = true;
    arrivedWhileLoading.current = [];
    bridge
      .page({ ...query, limit: TIMELINE_PAGE_SIZE })
      .then((page) => {
        if (current !== generation.current) return;
        setRows(
          mergeLiveRows(
            page.events.map((event) => ({ key: `id-${event.id}`, entry: event })),
            arrivedWhileLoading.current,
          ),
        );
        setNextCursor(page.nextCursor);
      })
      .catch((error: unknown) => {
        if (current === generation.current) setLoadError(errorText(error));
      })
      .finally(() => {
        if (current !== generation.current) return;
        firstPageLoading.current = false;
        arrivedWhileLoading.current = [];
        setLoading(false);
      });
    // queryKey stands for query: a new object with the same filters must not re-query.
  }, [bridge, store, queryKey]);

  const showSession = useCallback((id: string) => {
    setFilters((previous) => (previous.session === id ? previous : { ...previous, session: id }));
  }, []);
  useEffect(() => {
    if (sessionId !== undefined) showSession(sessionId);
  }, [sessionId, showSession]);
  useEffect(() => {
    // The view stays mounted once visited: a later "show in timeline" link arrives as a new hash.
    const follow = () => {
      const linked = sessionFromHash(window.location.hash);
      if (linked !== undefined) showSession(linked);
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, [showSession]);
  const clearSession = () => {
    setFilters((previous) => ({ ...previous, session: '' }));
    // Drop the session from the address too: a reload shows what is on screen, and the same
    // link followed again is a change of address the view hears.
    if (sessionFromHash(window.location.hash) !== undefined) {
      const { pathname, search } = window.location;
      window.history.replaceState(window.history.state, '', `${pathname}${search}#timeline`);
    }
  };

  useEffect(() => {
    const stopEvents = bridge.onTimelineEvent((event) => {
      if (!matchesQuery(event, queryRef.current)) return;
      const row = { key: `live-${++liveCounter.current}`, entry: event };
      if (firstPageLoading.current)
        arrivedWhileLoading.current = [row, ...arrivedWhileLoading.current];
      setRows((previous) => [row, ...previous]);
    });
    const stopAlerts = bridge.onMonitorAlert((payload) => setAlert(payload));
    return () => {
      stopEvents();
      stopAlerts();
    };
  }, [bridge]);

  useEffect(() => {
    bridge
      .verify()
      .then((result) =>
        setVerification(
          result.ok
            ? { state: 'verified', lines: result.lines }
            : {
                state: 'broken',
                message: result.firstBad
                  ? `${result.firstBad.file}:${result.firstBad.line}: ${result.firstBad.reason}`
                  : 'the hash chain does not match',
              },
        ),
      )
      .catch((error: unknown) => setVerification({ state: 'broken', message: errorText(error) }));
  }, [bridge]);

  const loadOlder = useCallback(() => {
    if (loading || nextCursor === undefined) return;
    const current = generation.current;
    setLoading(true);
    bridge
      .page({ ...queryRef.current, limit: TIMELINE_PAGE_SIZE, before: nextCursor })
      .then((page) => {
        if (current !== generation.current) return;
        setRows((previous) => [
          ...previous,
          ...page.events.map((event) => ({ key: `id-${event.id}`, entry: event })),
        ]);
        setNextCursor(page.nextCursor);
      })
      .catch((error: unknown) => {
        if (current === generation.current) setLoadError(errorText(error));
      })
      .finally(() => {
        if (current === generation.current) setLoading(false);
      });
  }, [bridge, loading, nextCursor]);

  const onRangeChange = useCallback(
    (slice: VisibleSlice) => {
      if (slice.last >= rows.length - LOAD_AHEAD_ROWS) loadOlder();
    },
    [rows.length, loadOlder],
  );

  const selectedIndex = rows.findIndex((row) => row.key === selectedKey);
  const selected = rows[selectedIndex]?.entry;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const steps: Partial<Record<string, number>> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: 10,
      PageUp: -10,
    };
    let next: number | undefined;
    const step = steps[event.key];
    if (step !== undefined) next = Math.max(0, selectedIndex) + step;
    if (event.key === 'Home') next = 0;
    if (event.key === 'End') next = rows.length - 1;
    if (next === undefined || rows.length === 0) return;
    event.preventDefault();
    next = Math.min(rows.length - 1, Math.max(0, next));
    const row = rows[next];
    if (row) setSelectedKey(row.key);
    const list = listRef.current;
    if (list) {
      const top = next * TIMELINE_ROW_HEIGHT;
      const height = list.clientHeight || 0;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (top + TIMELINE_ROW_HEIGHT > list.scrollTop + height) {
        list.scrollTop = top + TIMELINE_ROW_HEIGHT - height;
      }
    }
  };

  const update = (field: keyof TimelineFilters) => (value: string) =>
    setFilters((previous) => ({ ...previous, [field]: value }));

  return (
    <section className="view timeline-view" aria-labelledby="timeline-heading">
      <header className="view-header">
        <h2 id="timeline-heading">Timeline</h2>
        <VerificationBadge verification={verification} />
      </header>
      {alert && (
        <div className="alert-banner" role="alert">
          <strong>Alert ({alert.rule.replaceAll('_', ' ')}):</strong> {alert.message}
          <button type="button" onClick={() => setAlert(undefined)} aria-label="Dismiss alert">
            ×
          </button>
        </div>
      )}
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        {session && (
          <span className="filter-chip" title={`Only the events of session ${session}`}>
            session {shortSessionId(session)}
            <button type="button" aria-label="Clear the session filter" onClick={clearSession}>
              ×
            </button>
          </span>
        )}
        <label>
          Kind
          <select value={filters.kind} onChange={(event) => update('kind')(event.target.value)}>
            <option value="">All kinds</option>
            {TIMELINE_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tool
          <input
            value={filters.tool}
            placeholder="e.g. fs_delete"
            onChange={(event) => update('tool')(event.target.value)}
          />
        </label>
        <label>
          Status
          <input
            value={filters.status}
            placeholder="e.g. error"
            onChange={(event) => update('status')(event.target.value)}
          />
        </label>
        <label>
          Decision
          <select
            value={filters.decision}
            onChange={(event) => update('decision')(event.target.value)}
          >
            <option value="">Any decision</option>
            <option value="allow">allow</option>
            <option value="ask">ask</option>
            <option value="deny">deny</option>
          </select>
        </label>
        <label className="grow">
          Search
          <input
            type="search"
            value={filters.text}
            placeholder="Text in the summary"
            onChange={(event) => update('text')(event.target.value)}
          />
        </label>
      </form>
      {loadError && (
        <p className="inline-error" role="alert">
          Could not load the timeline: {loadError}
        </p>
      )}
      <div className="timeline-body">
        <VirtualList
          items={rows}
          rowHeight={TIMELINE_ROW_HEIGHT}
          rowKey={(row) => row.key}
          label="Timeline events, newest first"
          className="timeline-list"
          containerRef={listRef}
          activeId={selectedKey ? `timeline-row-${selectedKey}` : undefined}
          onKeyDown={onKeyDown}
          onRangeChange={onRangeChange}
          renderRow={(row) => (
            <TimelineRowView
              row={row}
              selected={row.key === selectedKey}
              onSelect={() => setSelectedKey(row.key)}
            />
          )}
        />
        <DetailPane
          entry={selected}
          onShowSession={session ? undefined : (id) => showSession(id)}
        />
      </div>
      <p className="view-footer" aria-live="polite">
        {formatCount(rows.length)} events{loading ? ' · loading…' : ''}
        {!loading && nextCursor === undefined && rows.length > 0 ? ' · all loaded' : ''}
      </p>
    </section>
  );
}

/** The store's loaded head page, when the query is the unfiltered one it stands for. */
function loadedHead(store: AppStore | null, query: object) {
  if (!store || Object.keys(query).length > 0) return undefined;
  const head = store.getState().timelineHead;
  return head.state === 'loaded' ? head : undefined;
}

function TimelineRowView(props: { row: TimelineRow; selected: boolean; onSelect: () => void }) {
  const { entry } = props.row;
  const classes = ['timeline-row', `level-${entry.level.toLowerCase()}`];
  if (entry.kind === 'alert') classes.push('kind-alert');
  if (props.selected) classes.push('selected');
  return (
    <div
      id={`timeline-row-${props.row.key}`}
      role="option"
      aria-selected={props.selected}
      className={classes.join(' ')}
      onClick={props.onSelect}
    >
      <time dateTime={new Date(entry.time).toISOString()}>{formatTime(entry.time)}</time>
      <span className="level">{entry.level}</span>
      <span className="kind">{entry.kind.replaceAll('_', ' ')}</span>
      <span className="summary">{entry.summary}</span>
    </div>
  );
}

const DETAIL_FIELDS: (keyof TimelineEntry)[] = [
  'id',
  'kind',
  'level',
  'taskId',
  'sessionId',
  'tool',
  'operation',
  'decision',
  'status',
  'costUsd',
];

function DetailPane({
  entry,
  onShowSession,
}: {
  entry: TimelineEntry | undefined;
  /** Absent while the list already shows one session. */
  onShowSession: ((sessionId: string) => void) | undefined;
}) {
  return (
    <aside className="detail-pane" aria-label="Selected event" aria-live="polite">
      {entry ? (
        <>
          <h3>{formatTime(entry.time)}</h3>
          {/* The summary was redacted by main before it was stored: no secret reaches here. */}
          <p className="detail-summary">{entry.summary}</p>
          <dl>
            {DETAIL_FIELDS.filter((field) => entry[field] !== undefined).map((field) => (
              <div key={field}>
                <dt>{field}</dt>
                <dd>
                  {field === 'costUsd'
                    ? `$${Number(entry[field]).toFixed(4)}`
                    : String(entry[field])}
                </dd>
              </div>
            ))}
          </dl>
          {entry.sessionId !== undefined && onShowSession && (
            <button
              type="button"
              className="button button-small"
              onClick={() => onShowSession(entry.sessionId!)}
            >
              Only this session
            </button>
          )}
          {entry.detail !== undefined && (
            <>
              <h4>Detail</h4>
              {/* Redacted by main before it was stored, like the summary. */}
              <pre className="detail-json" aria-label="Event detail">
                {JSON.stringify(entry.detail, null, 2)}
              </pre>
            </>
          )}
        </>
      ) : (
        <p className="muted">Select an event to see its details (arrow keys move).</p>
      )}
    </aside>
  );
}

function VerificationBadge({ verification }: { verification: Verification }) {
  switch (verification.state) {
    case 'checking':
      return <span className="badge">Verifying audit log…</span>;
    case 'verified':
      return (
        <span className="badge badge-ok" role="status">
          ✓ Audit log verified ({formatCount(verification.lines)} lines)
        </span>
      );
    case 'broken':
      return (
        <span className="badge badge-error" role="alert">
          ✗ Audit log does not verify: {verification.message}
        </span>
      );
  }
}
