// The agent's shell, live: an xterm attached to one session of terminal.list / terminal.opened.
// Output is kept per session (bounded) so switching sessions shows what already happened.
import { useEffect, useRef, useState } from 'react';
import { Terminal as XTerm } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { EventPayloadOf } from '../../src-preload/contract';
import { useBridge } from '../bridge';
import { errorText } from './errorText';
import './views.css';

type Session = EventPayloadOf<'terminal.opened'> & { exitCode?: number | null; exited?: boolean };

/** Character cell of the 13px monospace font the view uses (no fit addon). */
export const CELL_WIDTH = 9;
export const CELL_HEIGHT = 17;
/** Output kept per session for switching back to it: the tail, not the whole history. */
const MAX_BUFFERED_CHARACTERS = 512 * 1024;

/** The pty size for a container, within the bounds terminal.resize accepts. */
export function terminalSizeFor(width: number, height: number): { cols: number; rows: number } {
  const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
  return {
    cols: clamp(Math.floor(width / CELL_WIDTH), 10, 1000),
    rows: clamp(Math.floor(height / CELL_HEIGHT), 2, 500),
  };
}

export function Terminal() {
  const bridge = useBridge();
  const [sessions, setSessions] = useState<Session[]>([]);
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [refusal, setRefusal] = useState<string | undefined>();
  const [listError, setListError] = useState<string | undefined>();
  const containerRef = useRef<HTMLDivElement>(null);
  const xtermRef = useRef<XTerm | null>(null);
  const buffers = useRef(new Map<string, string>());
  const selectedRef = useRef<string | undefined>(undefined);
  /** Sessions that ended: their pty is gone, so the view no longer sizes them. */
  const endedRef = useRef(new Set<string>());

  // Sessions: the ones open now, then each one that opens; the newest is shown by default.
  useEffect(() => {
    let active = true;
    const addSession = (session: Session) => {
      setSessions((previous) =>
        previous.some((known) => known.sessionId === session.sessionId)
          ? previous
          : [...previous, session],
      );
      setSelectedId((current) => current ?? session.sessionId);
    };
    bridge
      .list()
      .then(({ sessions: open }) => {
        if (!active) return;
        for (const session of open) addSession(session);
      })
      .catch((error: unknown) => active && setListError(errorText(error)));
    const stopOpened = bridge.onTerminalOpened((session) => {
      addSession(session);
      setSelectedId(session.sessionId);
    });
    const stopData = bridge.onTerminalData(({ sessionId, data }) => {
      const kept = (buffers.current.get(sessionId) ?? '') + data;
      buffers.current.set(sessionId, kept.slice(-MAX_BUFFERED_CHARACTERS));
      if (sessionId === selectedRef.current) xtermRef.current?.write(data);
    });
    const stopExit = bridge.onTerminalExit(({ sessionId, exitCode }) => {
      endedRef.current.add(sessionId);
      setSessions((previous) =>
        previous.map((session) =>
          session.sessionId === sessionId ? { ...session, exited: true, exitCode } : session,
        ),
      );
    });
    return () => {
      active = false;
      stopOpened();
      stopData();
      stopExit();
    };
  }, [bridge]);

  // One xterm for the view's lifetime; keystrokes go to whichever session is selected.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const xterm = new XTerm({ fontSize: 13, cursorBlink: true, scrollback: 5000 });
    xterm.open(container);
    xtermRef.current = xterm;
    const typing = xterm.onData((data) => {
      const sessionId = selectedRef.current;
      if (!sessionId) return;
      bridge
        .input({ sessionId, data })
        .then((result) =>
          setRefusal(result.accepted ? undefined : (result.reason ?? 'the input was refused')),
        )
        .catch((error: unknown) => setRefusal(errorText(error)));
    });
    return () => {
      typing.dispose();
      xterm.dispose();
      xtermRef.current = null;
    };
  }, [bridge]);

  // Switching sessions: redraw from that session's buffer and size its pty to the view.
  useEffect(() => {
    selectedRef.current = selectedId;
    const xterm = xtermRef.current;
    const container = containerRef.current;
    if (!xterm || !container || !selectedId) return;
    xterm.reset();
    const kept = buffers.current.get(selectedId);
    if (kept) xterm.write(kept);
    setRefusal(undefined);
    let lastSize = '';
    const sendSize = () => {
      const { cols, rows } = terminalSizeFor(container.clientWidth, container.clientHeight);
      const key = `${cols}x${rows}`;
      if (container.clientWidth === 0 || key === lastSize) return;
      lastSize = key;
      xterm.resize(cols, rows);
      // An ended session has no pty to size: main would answer with an error (a failed
      // request in the console each time the view is shown or resized).
      if (endedRef.current.has(selectedId)) return;
      bridge.resize({ sessionId: selectedId, cols, rows }).catch(() => {
        // The session may have just ended; the next resize tries again.
        lastSize = '';
      });
    };
    sendSize();
    if (typeof ResizeObserver === 'undefined') {
      window.addEventListener('resize', sendSize);
      return () => window.removeEventListener('resize', sendSize);
    }
    const observer = new ResizeObserver(sendSize);
    observer.observe(container);
    return () => observer.disconnect();
  }, [bridge, selectedId]);

  const selected = sessions.find((session) => session.sessionId === selectedId);

  return (
    <section className="view terminal-view" aria-labelledby="terminal-heading">
      <header className="view-header">
        <h2 id="terminal-heading">Terminal</h2>
        {sessions.length > 0 && (
          <label>
            Session
            <select value={selectedId} onChange={(event) => setSelectedId(event.target.value)}>
              {sessions.map((session) => (
                <option key={session.sessionId} value={session.sessionId}>
                  {session.cwd} · task {session.taskId.slice(0, 8)}
                  {session.exited ? ' (ended)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {listError && (
        <p className="inline-error" role="alert">
          Could not list terminal sessions: {listError}
        </p>
      )}
      {sessions.length === 0 && !listError && (
        <p className="muted">No shell session yet: one opens when a task runs a command.</p>
      )}
      {selected && !selected.sandboxed && (
        <p className="warning-note" role="note">
          This session runs without an OS sandbox (security.sandbox: auto found none): commands
          reach everything your user account can.
        </p>
      )}
      {selected?.exited && (
        <p className="muted" role="status">
          Session ended{selected.exitCode != null ? ` with exit code ${selected.exitCode}` : ''}.
        </p>
      )}
      {refusal && (
        <p className="inline-error" role="alert">
          Input refused: {refusal}
        </p>
      )}
      <div
        ref={containerRef}
        className="terminal-container"
        role="region"
        aria-label={selected ? `Shell of task ${selected.taskId} in ${selected.cwd}` : 'Shell'}
      />
    </section>
  );
}
