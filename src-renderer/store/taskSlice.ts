import type { EventPayloadOf, OmniPalmBridge } from '../../src-preload/contract';
import { errorMessage, type SliceCreator } from './appState';

export type ToolLineStatus = 'running' | 'ok' | 'error' | 'denied';

export interface ToolLine {
  readonly id: string;
  readonly tool: string;
  readonly summary?: string;
  readonly status: ToolLineStatus;
  readonly text?: string;
  /** Epoch milliseconds the call started (for the elapsed time of a long one). */
  readonly startedAt?: number;
}

export type TaskOutcome = EventPayloadOf<'task.ended'>;

export interface TaskRun {
  readonly taskId: string;
  readonly prompt: string;
  /** The answer so far, streamed. */
  readonly text: string;
  readonly tools: readonly ToolLine[];
  /** null while it runs. */
  readonly outcome: TaskOutcome | null;
  readonly stopRequested: boolean;
  /** The session the task is a turn of (from its start or its task.started event). */
  readonly sessionId?: string;
}

/** Tasks kept in memory; older ones are in the timeline. */
export const MAX_TASKS = 20;
/** Most characters of one streamed answer kept: a runaway stream must not eat the page. */
export const MAX_TASK_TEXT = 400_000;

export interface TaskSlice {
  tasks: Record<string, TaskRun>;
  /** The task the Task view shows. */
  currentTaskId: string | null;
  startingTask: boolean;
  taskError: string | null;
  /**
   * Runs a prompt as the next turn of the open session, or of `target.sessionId` when given
   * (null: a new session); true once the core accepted it. The turn's session becomes the
   * open one.
   */
  startTask: (prompt: string, target?: { sessionId: string | null }) => Promise<boolean>;
  stopTask: (taskId: string) => Promise<void>;
  refreshRunningTasks: () => Promise<void>;
  taskStarted: (event: EventPayloadOf<'task.started'>) => void;
  taskText: (event: EventPayloadOf<'task.text'>) => void;
  taskTool: (event: EventPayloadOf<'task.tool'>) => void;
  taskEnded: (event: TaskOutcome) => void;
}

function emptyRun(taskId: string, prompt = ''): TaskRun {
  return { taskId, prompt, text: '', tools: [], outcome: null, stopRequested: false };
}

/** Adds or changes one task, dropping the oldest past MAX_TASKS (never the current one). */
function withTask(
  tasks: Record<string, TaskRun>,
  taskId: string,
  change: (run: TaskRun) => TaskRun,
  keep: string | null,
): Record<string, TaskRun> {
  const next = { ...tasks, [taskId]: change(tasks[taskId] ?? emptyRun(taskId)) };
  const ids = Object.keys(next);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_TASKS))) {
    if (id !== keep && id !== taskId) delete next[id];
  }
  return next;
}

export function createTaskSlice(bridge: OmniPalmBridge): SliceCreator<TaskSlice> {
  return (set, get) => {
    const update = (taskId: string, change: (run: TaskRun) => TaskRun) =>
      set((state) => ({ tasks: withTask(state.tasks, taskId, change, state.currentTaskId) }));
    return {
      tasks: {},
      currentTaskId: null,
      startingTask: false,
      taskError: null,
      startTask: async (prompt, target) => {
        if (prompt.trim() === '' || get().startingTask) return false;
        get().rememberPrompt(prompt);
        set({ startingTask: true, taskError: null });
        const continued = target === undefined ? get().openSessionId : target.sessionId;
        try {
          const { taskId, sessionId } =
            continued === null
              ? await bridge.start({ prompt })
              : await bridge.continue({ sessionId: continued, prompt });
          update(taskId, (run) => ({ ...run, prompt, sessionId }));
          set({ currentTaskId: taskId, startingTask: false });
          if (get().openSessionId !== sessionId) void get().openSession(sessionId);
          return true;
        } catch (error) {
          set({ startingTask: false, taskError: errorMessage(error) });
          return false;
        }
      },
      stopTask: async (taskId) => {
        update(taskId, (run) => ({ ...run, stopRequested: true }));
        try {
          await bridge.stop({ taskId });
        } catch (error) {
          update(taskId, (run) => ({ ...run, stopRequested: false }));
          set({ taskError: `Could not stop the task: ${errorMessage(error)}` });
        }
      },
      refreshRunningTasks: async () => {
        try {
          const { tasks } = await bridge.running();
          for (const task of tasks) update(task.taskId, (run) => ({ ...run, prompt: task.prompt }));
          const current = get().currentTaskId;
          const latest = tasks.at(-1);
          if (latest && (current === null || get().tasks[current]?.outcome)) {
            set({ currentTaskId: latest.taskId });
          }
        } catch (error) {
          set({ taskError: `Could not read running tasks: ${errorMessage(error)}` });
        }
      },
      taskStarted: ({ taskId, prompt, sessionId }) => {
        update(taskId, (run) => ({
          ...run,
          prompt,
          ...(sessionId === undefined ? {} : { sessionId }),
        }));
        // A task started from another front door (the hotkey window, the CLI) is shown, with
        // its session, unless the one on screen is still running.
        const current = get().currentTaskId;
        if (current === null || current === taskId || get().tasks[current]?.outcome) {
          set({ currentTaskId: taskId });
          if (sessionId !== undefined && get().openSessionId !== sessionId) {
            void get().openSession(sessionId);
          }
        }
      },
      taskText: ({ taskId, text }) =>
        update(taskId, (run) => ({ ...run, text: (run.text + text).slice(-MAX_TASK_TEXT) })),
      taskTool: (event) =>
        update(event.taskId, (run) => {
          if (event.phase === 'start') {
            const line: ToolLine = {
              id: event.id,
              tool: event.tool,
              status: 'running',
              startedAt: Date.now(),
              ...(event.summary === undefined ? {} : { summary: event.summary }),
            };
            return { ...run, tools: [...run.tools.filter((t) => t.id !== event.id), line] };
          }
          const known = run.tools.some((t) => t.id === event.id);
          const ended = (line: ToolLine): ToolLine => ({
            ...line,
            status: event.status ?? 'ok',
            ...(event.summary === undefined ? {} : { summary: event.summary }),
            ...(event.text === undefined ? {} : { text: event.text }),
          });
          return {
            ...run,
            tools: known
              ? run.tools.map((t) => (t.id === event.id ? ended(t) : t))
              : [...run.tools, ended({ id: event.id, tool: event.tool, status: 'running' })],
          };
        }),
      taskEnded: (outcome) => {
        update(outcome.taskId, (run) => ({
          ...run,
          outcome,
          ...(outcome.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
          // A tool still "running" when its task ended never reported back: it did not finish.
          tools: run.tools.map((t) => (t.status === 'running' ? { ...t, status: 'error' } : t)),
        }));
        // The stored turn now has its steps, confirmations and answer: show that one.
        const sessionId = outcome.sessionId ?? get().tasks[outcome.taskId]?.sessionId;
        if (sessionId !== undefined && sessionId === get().openSessionId) {
          void get().refreshTranscript();
        }
      },
    };
  };
}
