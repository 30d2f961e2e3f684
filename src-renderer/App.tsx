// The app's frame: a sidebar of sections (Task, Timeline, Terminal, …), the alerts banner,
// and the confirmation modal above everything. Without a bridge it shows one screen saying
// how to open OmniPalm instead.
import {
  Component,
  lazy,
  Suspense,
  useEffect,
  useRef,
  useState,
  type ComponentType,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import type { OmniPalmBridge } from '../src-preload/contract';
import { BridgeContext } from './bridge';
import { ConfirmationModal } from './components/ConfirmationModal';
import { PromptBar } from './components/PromptBar';
import { SessionSidebar } from './components/SessionSidebar';
import { OPEN_SESSION_STORAGE_KEY } from './components/sessionModel';
import { Transcript } from './components/Transcript';
import { Keys } from './views/Keys';
import { Permissions } from './views/Permissions';
import { Timeline } from './views/Timeline';
import { Usage } from './views/Usage';
import { AppStoreContext, useAppStore, type AppStore } from './store';
import { SESSION_ID_PATTERN } from './store/sessionSlice';

export type AppSession =
  | { readonly kind: 'ready'; readonly bridge: OmniPalmBridge; readonly store: AppStore }
  | { readonly kind: 'unavailable'; readonly reason: string };

// Views live in ./views, each exporting a component of its own name. The small ones are in
// the main bundle: a lazy view pays React's Suspense reveal throttle (~300 ms) on its first
// visit, which alone broke the timeline's 200 ms first-page budget. Only the terminal, which
// brings xterm.js (~380 KB), loads on first visit.
const Terminal = lazy(() => import('./views/Terminal').then((m) => ({ default: m.Terminal })));

const SECTIONS: readonly { id: string; label: string; View: ComponentType }[] = [
  { id: 'task', label: 'Task', View: TaskSection },
  { id: 'timeline', label: 'Timeline', View: Timeline },
  { id: 'terminal', label: 'Terminal', View: Terminal },
  { id: 'permissions', label: 'Permissions', View: Permissions },
  { id: 'keys', label: 'Keys', View: Keys },
  { id: 'usage', label: 'Usage', View: Usage },
];

type SectionId = string;

/**
 * The desktop app's quick prompt window loads the same page at #prompt (a new session) or
 * #prompt?session=<id> (that session goes on: ui.quick_prompt_session 'last').
 */
export const QUICK_PROMPT_HASH = '#prompt';

/** The address's #fragment without its ?query: '#timeline?session=…' → 'timeline'. */
function hashPath(): string {
  return window.location.hash.slice(1).split('?')[0] ?? '';
}

/** The session a quick prompt continues: null for a new one. Read at each submit. */
export function quickPromptSession(hash: string): string | null {
  const query = hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '';
  const id = new URLSearchParams(query).get('session');
  return id !== null && SESSION_ID_PATTERN.test(id) ? id : null;
}

export function App({ session }: { session: AppSession }) {
  if (session.kind === 'unavailable') return <UnavailableScreen reason={session.reason} />;
  return (
    <BridgeContext value={session.bridge}>
      <AppStoreContext value={session.store}>
        {hashPath() === QUICK_PROMPT_HASH.slice(1) ? <QuickPrompt /> : <Shell />}
      </AppStoreContext>
    </BridgeContext>
  );
}

/**
 * The global hotkey's small window: one prompt. Enter runs the task and closes the window
 * (main only hides it), Escape closes it; the task's progress is in the main window and tray.
 */
function QuickPrompt() {
  const close = () => window.close();
  return (
    <div
      className="quick-prompt"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          close();
        }
      }}
    >
      <PromptBar
        onStarted={close}
        target={() => ({ sessionId: quickPromptSession(window.location.hash) })}
        autoFocus
      />
    </div>
  );
}

/**
 * A section named by the address's #fragment (the tray's Permissions / Audit log items); what
 * follows a '?' belongs to the section (#timeline?session=… filters the timeline).
 */
function sectionFromHash(): SectionId | undefined {
  const id = hashPath();
  return SECTIONS.some((section) => section.id === id) ? id : undefined;
}

function UnavailableScreen({ reason }: { reason: string }) {
  return (
    <main className="unavailable-screen">
      <div className="unavailable-card" role="alert">
        <h1>OmniPalm is not connected</h1>
        <p>{reason}</p>
        <p className="muted">
          In a terminal, run <code>omnipalm start --headless</code> and open the address it prints,
          or start the desktop app with <code>npm start</code>.
        </p>
      </div>
    </main>
  );
}

function Shell() {
  const [active, setActive] = useState<SectionId>(() => sectionFromHash() ?? 'task');
  // Sections stay mounted once visited, so the terminal and scroll positions survive a switch.
  const [visited, setVisited] = useState<ReadonlySet<SectionId>>(
    () => new Set(['task', sectionFromHash() ?? 'task']),
  );
  const modalOpen = useAppStore((state) => state.confirmations.length > 0);
  const pending = useAppStore((state) => state.confirmations.length);
  const tabs = useRef<Partial<Record<SectionId, HTMLButtonElement | null>>>({});

  const select = (id: SectionId, focus = false) => {
    setActive(id);
    setVisited((previous) => (previous.has(id) ? previous : new Set([...previous, id])));
    if (focus) tabs.current[id]?.focus();
  };

  useEffect(() => {
    const follow = () => {
      const id = sectionFromHash();
      if (id) select(id);
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);

  useRememberedSession();
  const openSession = useAppStore((state) => state.openSession);
  const newSession = () => {
    select('task');
    startNewSession(openSession);
  };
  const newSessionRef = useRef(newSession);
  newSessionRef.current = newSession;
  const modalOpenRef = useRef(modalOpen);
  modalOpenRef.current = modalOpen;
  useEffect(() => {
    // Ctrl/Cmd+N: a new session, from anywhere in the window (not while a confirmation waits).
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      if (event.key.toLowerCase() !== 'n' || modalOpenRef.current) return;
      event.preventDefault();
      newSessionRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onTabKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = SECTIONS.findIndex((section) => section.id === active);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowRight: index + 1,
      ArrowUp: index - 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: SECTIONS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const section = SECTIONS[(target + SECTIONS.length) % SECTIONS.length];
    if (section) select(section.id, true);
  };

  return (
    <div className="shell">
      {/* inert: while a confirmation waits, nothing behind it can be focused or clicked. */}
      <div className="shell-body" inert={modalOpen}>
        <nav className="sidebar" aria-label="Sections">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              ◆
            </span>{' '}
            OmniPalm
          </div>
          <div role="tablist" aria-orientation="vertical" onKeyDown={onTabKey}>
            {SECTIONS.map((section) => (
              <button
                key={section.id}
                ref={(element) => {
                  tabs.current[section.id] = element;
                }}
                id={`tab-${section.id}`}
                type="button"
                role="tab"
                className="tab"
                aria-selected={active === section.id}
                aria-controls={`panel-${section.id}`}
                tabIndex={active === section.id ? 0 : -1}
                onClick={() => select(section.id)}
              >
                {section.label}
                {section.id === 'task' && pending > 0 && (
                  <span className="badge" aria-label={`${pending} waiting for you`}>
                    {pending}
                  </span>
                )}
              </button>
            ))}
          </div>
          <StatusLine />
        </nav>
        <main className="content">
          <Alerts />
          {SECTIONS.filter((section) => visited.has(section.id)).map(({ id, View }) => (
            <div
              key={id}
              id={`panel-${id}`}
              role="tabpanel"
              aria-labelledby={`tab-${id}`}
              className="panel"
              hidden={active !== id}
            >
              <ViewBoundary name={id}>
                <Suspense fallback={<p className="muted">Loading…</p>}>
                  <View />
                </Suspense>
              </ViewBoundary>
            </div>
          ))}
        </main>
      </div>
      <ConfirmationModal />
    </div>
  );
}

/** The conversation: the sessions sidebar, the open session's transcript, the prompt bar. */
function TaskSection() {
  const openSession = useAppStore((state) => state.openSession);
  return (
    <div className="conversation">
      <SessionSidebar onNewSession={() => startNewSession(openSession)} />
      <div className="task-section">
        <Transcript />
        <PromptBar />
      </div>
    </div>
  );
}

/** No session open: the next prompt starts one. The prompt takes the focus. */
function startNewSession(openSession: (sessionId: null) => Promise<void>) {
  void openSession(null);
  // After the panel is shown: a hidden textarea cannot take focus.
  requestAnimationFrame(() =>
    document.querySelector<HTMLTextAreaElement>('#panel-task .prompt-input')?.focus(),
  );
}

/**
 * After a reload the last open session shows again. Only its id is kept (localStorage): the
 * turns are read from main, and a prompt may name private things.
 */
function useRememberedSession() {
  const openSessionId = useAppStore((state) => state.openSessionId);
  const openSession = useAppStore((state) => state.openSession);
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current) return;
    restored.current = true;
    const id = readStorage();
    if (id !== null && SESSION_ID_PATTERN.test(id)) void openSession(id);
  }, [openSession]);
  useEffect(() => {
    if (!restored.current) return;
    try {
      if (openSessionId === null) window.localStorage.removeItem(OPEN_SESSION_STORAGE_KEY);
      else window.localStorage.setItem(OPEN_SESSION_STORAGE_KEY, openSessionId);
    } catch {
      // Storage refused (a private window, a full disk): the session is simply not restored.
    }
  }, [openSessionId]);
}

function readStorage(): string | null {
  try {
    return window.localStorage.getItem(OPEN_SESSION_STORAGE_KEY);
  } catch {
    return null;
  }
}

function Alerts() {
  const alerts = useAppStore((state) => state.alerts);
  const dismiss = useAppStore((state) => state.dismissAlert);
  if (alerts.length === 0) return null;
  return (
    <section className="alerts" aria-label="Alerts">
      {alerts.map((alert) => (
        <div key={alert.id} className="alert" role="alert">
          <span className="alert-icon" aria-hidden="true">
            ⚠
          </span>
          <span className="alert-text">
            <strong>{alert.rule.replaceAll('_', ' ')}:</strong> {alert.message}
          </span>
          <button
            type="button"
            className="button button-small"
            aria-label={`Dismiss alert: ${alert.message}`}
            onClick={() => dismiss(alert.id)}
          >
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}

function StatusLine() {
  const status = useAppStore((state) => state.status);
  const connection = useAppStore((state) => state.connection);
  let text: string;
  let tone: 'ok' | 'warn' | 'bad';
  if (connection === 'unauthorized') {
    text = 'Token refused: open the address printed by omnipalm start --headless again.';
    tone = 'bad';
  } else if (status.kind === 'failed') {
    text = `Could not reach OmniPalm: ${status.message}`;
    tone = 'bad';
  } else if (status.kind === 'loading' || connection === 'connecting') {
    text = 'Connecting…';
    tone = 'warn';
  } else if (connection === 'reconnecting') {
    text = 'Connection lost, reconnecting…';
    tone = 'warn';
  } else {
    text = `v${status.status.version} · ${status.status.mode}`;
    tone = 'ok';
  }
  return (
    <p className={`status-line status-${tone}`} role="status">
      <span className="status-dot" aria-hidden="true" />
      {text}
    </p>
  );
}

/** A view that throws must not take the confirmation modal or the prompt down with it. */
class ViewBoundary extends Component<
  { name: string; children: ReactNode },
  { error: string | null }
> {
  override state = { error: null as string | null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  override render() {
    if (this.state.error !== null) {
      return (
        <p className="view-error" role="alert">
          The {this.props.name} view failed: {this.state.error}
        </p>
      );
    }
    return this.props.children;
  }
}
