// The sessions sidebar: newest first, search by text, rename inline, delete after a
// confirmation, "New session" (also Ctrl/Cmd+N, see App). Live through session.updated and
// session.deleted.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { MAX_SESSION_TITLE_LENGTH } from '../../src-preload/contract';
import { useAppStore, type SessionSummary } from '../store';
import { errorText } from '../views/errorText';
import { timelineHashFor } from '../views/timelineModel';
import { useDebounced } from '../views/useDebounced';
import { formatCost, relativeTime, untrustedBadgeText } from './sessionModel';

/** Typing pauses this long before the search goes to main. */
export const SESSION_SEARCH_DEBOUNCE_MS = 250;

export function SessionSidebar({ onNewSession }: { onNewSession: () => void }) {
  const list = useAppStore((state) => state.sessionList);
  const openSessionId = useAppStore((state) => state.openSessionId);
  const searchSessions = useAppStore((state) => state.searchSessions);
  const loadMoreSessions = useAppStore((state) => state.loadMoreSessions);
  const [search, setSearch] = useState(list.text);
  const settled = useDebounced(search.trim(), SESSION_SEARCH_DEBOUNCE_MS);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    // The store reads the first page at start-up; a search re-reads when the text settles.
    // Only a settled search asks again (not every list update).
    if (settled !== list.text) void searchSessions(settled);
  }, [settled]);

  return (
    <aside className="sessions" aria-label="Sessions">
      <button
        type="button"
        className="button button-primary sessions-new"
        onClick={onNewSession}
        aria-keyshortcuts="Control+N Meta+N"
        title="Ctrl/Cmd+N"
      >
        New session
      </button>
      <input
        type="search"
        className="sessions-search"
        aria-label="Search sessions"
        placeholder="Search sessions"
        value={search}
        maxLength={1000}
        onChange={(event) => setSearch(event.target.value)}
      />
      {note && (
        <p className="muted sessions-note" role="status">
          {note}
        </p>
      )}
      {list.state === 'failed' && (
        <p className="view-error" role="alert">
          Could not read sessions: {list.error}
        </p>
      )}
      <ul className="sessions-list" aria-label="Session list">
        {list.sessions.map((session) => (
          <SessionItem
            key={session.id}
            session={session}
            open={session.id === openSessionId}
            onDeleted={setNote}
          />
        ))}
      </ul>
      {list.state === 'loaded' && list.sessions.length === 0 && (
        <p className="muted">{list.text === '' ? 'No sessions yet.' : 'No session matches.'}</p>
      )}
      {list.nextCursor !== undefined && (
        <button
          type="button"
          className="button button-small"
          disabled={list.state === 'loading'}
          onClick={() => void loadMoreSessions()}
        >
          More sessions
        </button>
      )}
    </aside>
  );
}

function SessionItem({
  session,
  open,
  onDeleted,
}: {
  session: SessionSummary;
  open: boolean;
  onDeleted: (note: string) => void;
}) {
  const openSession = useAppStore((state) => state.openSession);
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const untrusted = session.untrustedSources.length > 0;

  return (
    <li className={`session-item${open ? ' session-open' : ''}`} aria-label={session.title}>
      {mode === 'rename' ? (
        <RenameField
          session={session}
          errorId={error ? errorId : undefined}
          onDone={() => {
            setMode('view');
            setError(null);
          }}
          onError={setError}
        />
      ) : (
        <button
          type="button"
          className="session-open-button"
          aria-current={open ? 'true' : undefined}
          onClick={() => void openSession(session.id)}
        >
          <span className="session-title">{session.title}</span>
          <span className="session-meta muted">
            {relativeTime(session.updatedAt)} · {formatCost(session.costUsd)}
          </span>
          {untrusted && (
            <span className="badge badge-warn" title={session.untrustedSources.join('\n')}>
              {untrustedBadgeText(session.untrustedSources)}
            </span>
          )}
        </button>
      )}
      {mode === 'view' && (
        <div className="session-actions">
          <button
            type="button"
            className="button button-small"
            aria-label={`Rename ${session.title}`}
            onClick={() => {
              setError(null);
              setMode('rename');
            }}
          >
            Rename
          </button>
          <button
            type="button"
            className="button button-small button-danger"
            aria-label={`Delete ${session.title}`}
            onClick={() => {
              setError(null);
              setMode('delete');
            }}
          >
            Delete
          </button>
          <a
            className="session-timeline"
            href={timelineHashFor(session.id)}
            aria-label={`Show ${session.title} in the timeline`}
          >
            Timeline
          </a>
        </div>
      )}
      {mode === 'delete' && (
        <DeleteConfirmation
          session={session}
          onCancel={() => setMode('view')}
          onDeleted={onDeleted}
          onError={setError}
        />
      )}
      {error && (
        <p id={errorId} className="view-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** Enter saves, Escape cancels; an error keeps the field open with the reason below it. */
function RenameField({
  session,
  errorId,
  onDone,
  onError,
}: {
  session: SessionSummary;
  errorId: string | undefined;
  onDone: () => void;
  onError: (message: string) => void;
}) {
  const renameSession = useAppStore((state) => state.renameSession);
  const [title, setTitle] = useState(session.title);
  const [saving, setSaving] = useState(false);

  const save = async () => {
    const trimmed = title.trim();
    if (trimmed === '') {
      onError('A title needs at least one character (Escape keeps the old one).');
      return;
    }
    if (trimmed === session.title) {
      onDone();
      return;
    }
    setSaving(true);
    try {
      await renameSession(session.id, trimmed);
      onDone();
    } catch (error) {
      onError(`Could not rename: ${errorText(error)}`);
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      void save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onDone();
    }
  };

  return (
    <input
      className="session-rename"
      aria-label={`New title for ${session.title}`}
      aria-describedby={errorId}
      value={title}
      maxLength={MAX_SESSION_TITLE_LENGTH}
      disabled={saving}
      autoFocus
      onChange={(event) => setTitle(event.target.value.replace(/[\r\n]+/g, ' '))}
      onKeyDown={onKeyDown}
    />
  );
}

/** Cancel is focused: a stray Enter must not delete a conversation. */
function DeleteConfirmation({
  session,
  onCancel,
  onDeleted,
  onError,
}: {
  session: SessionSummary;
  onCancel: () => void;
  onDeleted: (note: string) => void;
  onError: (message: string) => void;
}) {
  const deleteSession = useAppStore((state) => state.deleteSession);
  const [deleting, setDeleting] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const textId = useId();
  useEffect(() => cancel.current?.focus(), []);

  const confirm = async () => {
    setDeleting(true);
    try {
      onDeleted(await deleteSession(session.id));
    } catch (error) {
      onError(`Could not delete: ${errorText(error)}`);
      setDeleting(false);
    }
  };

  return (
    <div
      className="session-delete"
      role="alertdialog"
      aria-label={`Delete ${session.title}?`}
      aria-describedby={textId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <p id={textId}>
        Delete “{session.title}”? Its turns and stored messages are removed. The audit log keeps its
        lines: it is append-only.
      </p>
      <button
        type="button"
        className="button button-small button-danger"
        disabled={deleting}
        onClick={() => void confirm()}
      >
        {deleting ? 'Deleting…' : 'Delete session'}
      </button>
      <button ref={cancel} type="button" className="button button-small" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
