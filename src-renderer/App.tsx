import { useAppStore, type StatusState } from './store';

export function App() {
  const status = useAppStore((state) => state.status);
  return (
    <main className="app">
      <header className="app-header">
        <h1>OmniPalm</h1>
        <p className="tagline">A desktop AI agent that asks before it acts.</p>
      </header>
      <section className="status" aria-live="polite">
        <h2>Status</h2>
        <StatusLine status={status} />
      </section>
    </main>
  );
}

function StatusLine({ status }: { status: StatusState }) {
  switch (status.kind) {
    case 'loading':
      return <p className="status-line">Connecting to OmniPalm…</p>;
    case 'ready':
      return (
        <p className="status-line status-ready">
          Version {status.status.version} · {status.status.mode} · {status.status.platform}
        </p>
      );
    case 'unavailable':
      return <p className="status-line status-unavailable">{status.message}</p>;
    case 'failed':
      return <p className="status-line status-failed">Could not read status: {status.message}</p>;
  }
}
