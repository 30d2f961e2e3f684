// A task as it runs: its prompt, the answer as it streams (markdown), one line per tool call,
// the outcome. The transcript shows a session's running turn with LiveTurn.
import { useEffect, useState } from 'react';
import { useAppStore, type TaskOutcome, type TaskRun, type ToolLine } from '../store';
import { Markdown } from './Markdown';

export const EMPTY_TASK_TEXT =
  'Ask OmniPalm to do something below. Anything risky waits for your yes.';

/** The current task (one started without a session, or the last one started here). */
export function TaskView() {
  const task = useAppStore((state) =>
    state.currentTaskId === null ? undefined : state.tasks[state.currentTaskId],
  );
  if (!task) {
    return (
      <section className="task-view task-empty" aria-label="Task">
        <p>{EMPTY_TASK_TEXT}</p>
      </section>
    );
  }
  return <LiveTurn task={task} />;
}

export function LiveTurn({ task }: { task: TaskRun }) {
  const stopTask = useAppStore((state) => state.stopTask);
  const running = task.outcome === null;
  return (
    <section className="task-view" aria-label="Task" aria-busy={running}>
      <header className="task-header">
        <p className="task-prompt">
          <span className="visually-hidden">Prompt: </span>
          {task.prompt || 'Task'}
        </p>
        {running && (
          <button
            type="button"
            className="button button-danger"
            disabled={task.stopRequested}
            onClick={() => void stopTask(task.taskId)}
          >
            {task.stopRequested ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </header>
      {task.tools.length > 0 && (
        <ul className="tool-lines" aria-label="Tool calls">
          {task.tools.map((line) => (
            <ToolLineItem key={line.id} line={line} />
          ))}
        </ul>
      )}
      <div className="task-text" aria-label="Answer">
        {task.text !== '' && <Markdown text={task.text} />}
        {running && task.text === '' && task.tools.length === 0 && (
          <span className="muted">Thinking…</span>
        )}
      </div>
      {task.outcome && <Outcome outcome={task.outcome} />}
    </section>
  );
}

export const TOOL_MARKS: Record<
  Exclude<ToolLine['status'], 'running'>,
  { mark: string; label: string }
> = {
  ok: { mark: '✓', label: 'done' },
  error: { mark: '✗', label: 'failed' },
  denied: { mark: '⊘', label: 'denied' },
};

export function ToolLineItem({ line }: { line: ToolLine }) {
  return (
    <li className={`tool-line tool-${line.status}`}>
      {line.status === 'running' ? (
        <span className="spinner" role="img" aria-label="running" />
      ) : (
        <span className="tool-mark" role="img" aria-label={TOOL_MARKS[line.status].label}>
          {TOOL_MARKS[line.status].mark}
        </span>
      )}
      <span className="tool-name">{line.tool}</span>
      {line.summary && <span className="tool-summary">{line.summary}</span>}
      {line.status === 'running' && line.startedAt !== undefined && (
        <Elapsed since={line.startedAt} />
      )}
    </li>
  );
}

/** Shown once a call has run this long: a long command or download says it is still going. */
export const SHOW_ELAPSED_AFTER_MS = 2000;

/** "· 12 s" beside a long-running tool call, counting up each second. */
function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const elapsed = now - since;
  if (elapsed < SHOW_ELAPSED_AFTER_MS) return null;
  return (
    <span className="tool-elapsed" aria-label={`running for ${Math.floor(elapsed / 1000)} seconds`}>
      · {Math.floor(elapsed / 1000)} s
    </span>
  );
}

const OUTCOME_TITLES: Record<TaskOutcome['status'], string> = {
  done: 'Done',
  denied: 'Stopped: an action was refused',
  stopped: 'Stopped',
  error: 'Failed',
};

function Outcome({ outcome }: { outcome: TaskOutcome }) {
  return (
    <div className={`task-outcome outcome-${outcome.status}`} role="status">
      <strong>{OUTCOME_TITLES[outcome.status]}</strong>
      {outcome.stopReason && <span> — {outcome.stopReason.message}</span>}
      {outcome.error && <span> — {outcome.error}</span>}
      {outcome.refused.length > 0 && (
        <ul className="refused" aria-label="Refused actions">
          {outcome.refused.map((refusal, index) => (
            <li key={index}>
              {refusal.tool}: {refusal.reason} (
              {refusal.by === 'unanswered' ? 'no answer' : `by ${refusal.by}`})
            </li>
          ))}
        </ul>
      )}
      <p className="muted outcome-meta">
        {outcome.iterations} step{outcome.iterations === 1 ? '' : 's'} · $
        {outcome.costUsd.toFixed(4)}
      </p>
    </div>
  );
}
