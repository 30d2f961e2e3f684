// The open session: each turn's prompt, its steps (tool calls with status and time,
// confirmations with their answer), the answer as markdown; the running turn streams in.
// Older turns page in from main; the header shows the session's cost and whether untrusted
// content entered it (then every turn asks before anything that can carry data out).
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { timelineHashFor } from '../views/timelineModel';
import { useAppStore, type SessionTurn, type TaskRun, type TurnStep } from '../store';
import { Markdown } from './Markdown';
import { clockTime, formatCost, formatDuration, untrustedBadgeText } from './sessionModel';
import { EMPTY_TASK_TEXT, LiveTurn, TaskView, TOOL_MARKS } from './TaskView';

export function Transcript() {
  const transcript = useAppStore((state) => state.transcript);
  const openSessionId = useAppStore((state) => state.openSessionId);
  const loadOlderTurns = useAppStore((state) => state.loadOlderTurns);
  // The open session's turns that run here now and are not (or not finished) in the page yet.
  const liveRuns = useAppStore(
    useShallow((state) =>
      Object.values(state.tasks).filter(
        (run) =>
          run.sessionId !== undefined &&
          run.sessionId === state.openSessionId &&
          !state.transcript?.turns.some((turn) => turn.taskId === run.taskId),
      ),
    ),
  );
  const tasks = useAppStore((state) => state.tasks);

  if (openSessionId === null) {
    return (
      <>
        {transcript?.state === 'failed' && (
          <p className="view-error" role="alert">
            Could not open the session: {transcript.error}. The next prompt starts a new session.
          </p>
        )}
        <NoSession />
      </>
    );
  }
  if (!transcript || transcript.sessionId !== openSessionId) return null;
  const session = transcript.session;
  const turns = transcript.turns;
  return (
    <section className="transcript" aria-label="Conversation" aria-busy={session?.running}>
      <header className="transcript-header">
        <h2 className="transcript-title">{session?.title ?? 'Loading…'}</h2>
        {session && (
          <span
            className="transcript-cost"
            aria-label={`Session cost ${formatCost(session.costUsd)}`}
          >
            {formatCost(session.costUsd)}
          </span>
        )}
        {session && session.untrustedSources.length > 0 && (
          <span
            className="badge badge-warn"
            title={`Until you start a new session, every turn asks before anything that can send data out.\n${session.untrustedSources.join('\n')}`}
          >
            {untrustedBadgeText(session.untrustedSources)}
          </span>
        )}
        <a className="transcript-timeline" href={timelineHashFor(openSessionId)}>
          Show in timeline
        </a>
      </header>
      {transcript.state === 'loading' && <p className="muted">Loading the conversation…</p>}
      {transcript.error && (
        <p className="view-error" role="alert">
          {transcript.state === 'failed' ? 'Could not read the conversation: ' : ''}
          {transcript.error}
        </p>
      )}
      {transcript.nextBeforeSeq !== undefined && (
        <button
          type="button"
          className="button button-small transcript-older"
          disabled={transcript.loadingOlder}
          onClick={() => void loadOlderTurns()}
        >
          {transcript.loadingOlder ? 'Loading…' : 'Show earlier turns'}
        </button>
      )}
      <ol className="turns" aria-label="Turns">
        {turns.map((turn, index) => {
          const live = turn.status === 'running' && turn.taskId ? tasks[turn.taskId] : undefined;
          return (
            <li key={turn.seq} className="turn">
              {live ? (
                <LiveTurn task={live} />
              ) : (
                <StoredTurn
                  turn={turn}
                  last={index === turns.length - 1 && liveRuns.length === 0}
                />
              )}
            </li>
          );
        })}
        {liveRuns.map((run: TaskRun) => (
          <li key={run.taskId} className="turn">
            <LiveTurn task={run} />
          </li>
        ))}
      </ol>
      {transcript.state === 'loaded' && turns.length === 0 && liveRuns.length === 0 && (
        <p className="muted">{EMPTY_TASK_TEXT}</p>
      )}
    </section>
  );
}

/** No session open: a task started without one (an older core) or the invitation to ask. */
function NoSession() {
  const unsessioned = useAppStore((state) => {
    const run = state.currentTaskId === null ? undefined : state.tasks[state.currentTaskId];
    return run !== undefined && run.sessionId === undefined;
  });
  if (unsessioned) return <TaskView />;
  return (
    <section className="task-view task-empty" aria-label="Task">
      <p>New session. {EMPTY_TASK_TEXT}</p>
    </section>
  );
}

const TURN_OUTCOMES: Record<SessionTurn['status'], string> = {
  running: 'Running…',
  done: 'Done',
  denied: 'Stopped: an action was refused',
  stopped: 'Stopped',
  error: 'Failed',
  interrupted: 'Interrupted: the app closed while this turn ran. You can go on.',
};

/** Memoised: a streaming turn re-renders the transcript per chunk; stored answers need not re-parse. */
const StoredTurn = memo(function StoredTurn({ turn, last }: { turn: SessionTurn; last: boolean }) {
  return (
    <article className="task-view stored-turn" aria-label={`Turn ${turn.seq}`}>
      <header className="task-header">
        <p className="task-prompt">
          <span className="visually-hidden">Prompt: </span>
          {turn.prompt}
        </p>
        <time className="muted turn-time" dateTime={new Date(turn.startedAt).toISOString()}>
          {clockTime(turn.startedAt)}
        </time>
      </header>
      {turn.steps.length > 0 && (
        <ul className="tool-lines" aria-label="Steps">
          {turn.steps.map((step, index) => (
            <StepItem key={index} step={step} turnRunning={turn.status === 'running'} />
          ))}
        </ul>
      )}
      {turn.answer !== '' && (
        <div className="task-text" aria-label="Answer">
          <Markdown text={turn.answer} />
        </div>
      )}
      <div className={`task-outcome outcome-${turn.status}`} {...(last ? { role: 'status' } : {})}>
        <strong>{TURN_OUTCOMES[turn.status]}</strong>
        <span className="muted outcome-meta"> · {formatCost(turn.costUsd)}</span>
      </div>
    </article>
  );
});

function StepItem({ step, turnRunning }: { step: TurnStep; turnRunning: boolean }) {
  const time = step.time === undefined ? null : clockTime(step.time);
  if (step.kind === 'confirmation') {
    return (
      <li className="tool-line step-confirmation">
        <span className="tool-mark" role="img" aria-label="asked you">
          ?
        </span>
        <span className="tool-name">{step.name}</span>
        <span className="tool-summary">{step.summary}</span>
        <span className="step-answer">answer: {step.status ?? 'none'}</span>
        {time && <span className="tool-elapsed">{time}</span>}
      </li>
    );
  }
  const status = step.status;
  const known = status === 'ok' || status === 'error' || status === 'denied';
  return (
    <li className={`tool-line tool-${known ? status : turnRunning ? 'running' : 'error'}`}>
      {known ? (
        <span className="tool-mark" role="img" aria-label={TOOL_MARKS[status].label}>
          {TOOL_MARKS[status].mark}
        </span>
      ) : turnRunning ? (
        <span className="spinner" role="img" aria-label="running" />
      ) : (
        <span className="tool-mark" role="img" aria-label="did not finish">
          ✗
        </span>
      )}
      <span className="tool-name">{step.name}</span>
      <span className="tool-summary">{step.summary}</span>
      {(time || step.durationMs !== undefined) && (
        <span className="tool-elapsed">
          {time}
          {step.durationMs !== undefined && ` · ${formatDuration(step.durationMs)}`}
        </span>
      )}
    </li>
  );
}
