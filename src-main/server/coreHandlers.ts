// The agent core as the contract's handlers, one table for both transports: the Electron
// IpcRouter and the headless HTTP/WebSocket server call dispatchCall(handlers, …) and
// subscribe to one EventHub. Tasks run in the background (task.start returns at once with
// the task's id); their progress, the confirmations and the live timeline arrive as events.
//
//   const hub = new EventHub();
//   const core = await AgentCore.open({ home, env, ...coreEventHooks(hub) });
//   const front = createCoreHandlers(core, { mode: 'headless', hub, version });
//   hub.subscribe(sendToClient);  dispatchCall(front.handlers, channel, payload);
//   await front.close();  await core.close();
import {
  events,
  type ContractHandlers,
  type EventEmitter,
  type EventPayloadOf,
  type RequestOf,
  type ResponseOf,
} from '../../src-preload/contract.js';
import { AgentError } from '../agent/agentErrors.js';
import {
  QUIT_REASON,
  type AgentCore,
  type CoreTaskOutcome,
  type TurnStart,
} from '../agent/core.js';
import type { SessionChange } from '../agent/sessions.js';
import { sessionTurnsView } from '../agent/transcript.js';
import { defaultLevel, type AuditEvent } from '../audit/auditEvent.js';
import type { Alert } from '../audit/monitor.js';
import { openDatabase } from '../store/database.js';
import {
  TimelineStore,
  timelineDatabaseFile,
  type TimelineReader,
} from '../store/timelineStore.js';
import { createMcpHandlers, type McpCore } from './mcpHandlers.js';
import { createSettingsHandlers, type SettingsCore } from './settingsHandlers.js';
import { UiFrontDoor } from './uiFrontDoor.js';

export interface SubscribeOptions {
  /**
   * Whether this subscriber is a UI that can answer confirmations (default true). A log or a
   * test probe says false, so the UI front door does not show requests nobody can answer.
   */
  answersConfirmations?: boolean;
}

export type AuditListener = (event: AuditEvent & { summary: string }) => void;

export class EventHub {
  private readonly sinks = new Map<EventEmitter, boolean>();
  private readonly auditListeners = new Set<AuditListener>();
  private hooked = false;

  /** Fans an event out to every subscriber; a failing subscriber never stops the others. */
  readonly emit: EventEmitter = (event, payload) => {
    // Parsed once here: every transport gets exactly what the contract names, and a payload
    // of the wrong shape (a bug in main) is dropped rather than sent.
    const parsed = events[event].safeParse(payload);
    if (!parsed.success) return;
    for (const sink of [...this.sinks.keys()]) {
      try {
        sink(event, parsed.data as EventPayloadOf<typeof event>);
      } catch {
        // A closed window or a dropped socket must not stop the others.
      }
    }
  };

  /** Attaches a front door; returns the function that detaches it. */
  subscribe(emit: EventEmitter, options: SubscribeOptions = {}): () => void {
    // A wrapper per subscription, so one function subscribed twice is two subscriptions.
    const sink: EventEmitter = (event, payload) => emit(event, payload);
    this.sinks.set(sink, options.answersConfirmations ?? true);
    return () => void this.sinks.delete(sink);
  }

  /** True while a subscriber that can answer confirmations is attached. */
  hasConfirmationClients(): boolean {
    return [...this.sinks.values()].some(Boolean);
  }

  /** Main-side listeners of the audit trail (the task runner learns task ids from it). */
  onAudit(listener: AuditListener): () => void {
    this.auditListeners.add(listener);
    return () => void this.auditListeners.delete(listener);
  }

  /** Whether coreEventHooks(this) was called: the task runner relies on it. */
  get isHooked(): boolean {
    return this.hooked;
  }

  /** @internal for coreEventHooks */
  markHooked(): void {
    this.hooked = true;
  }

  /** @internal for coreEventHooks */
  notifyAudit(event: AuditEvent & { summary: string }): void {
    for (const listener of [...this.auditListeners]) listener(event);
  }
}

/**
 * The `onEvent`/`onAlert` options for AgentCore.open: every audited event becomes a
 * `timeline.event`, every alert a `monitor.alert`.
 *
 *   const hub = new EventHub();
 *   const core = await AgentCore.open({ home, env, ...coreEventHooks(hub) });
 */
export function coreEventHooks(hub: EventHub): {
  onEvent: AuditListener;
  onAlert: (alert: Alert) => void;
} {
  hub.markHooked();
  return {
    onEvent: (event) => {
      hub.notifyAudit(event);
      hub.emit('timeline.event', timelineEventOf(event));
    },
    // The message and rule only: the alert's triggering event may hold a secret.
    onAlert: (alert) => hub.emit('monitor.alert', { rule: alert.rule, message: alert.message }),
  };
}

function timelineEventOf(
  event: AuditEvent & { summary: string; detail?: unknown },
): EventPayloadOf<'timeline.event'> {
  return {
    kind: event.kind,
    level: event.level ?? defaultLevel(event.kind),
    summary: event.summary,
    ...(event.taskId === undefined ? {} : { taskId: event.taskId }),
    ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }),
    ...(event.tool === undefined ? {} : { tool: event.tool }),
    ...(event.status === undefined ? {} : { status: event.status }),
    time: event.time?.getTime() ?? Date.now(),
    ...(event.detail === undefined ? {} : { detail: event.detail }),
  };
}

/** Tasks at once, by default: each holds a shell, maybe a browser, and the model's budget. */
export const MAX_CONCURRENT_TASKS = 4;

/** What the handlers use of the core (AgentCore has it all). */
export type HandledCore = Pick<
  AgentCore,
  | 'runTask'
  | 'provider'
  | 'checkModelReachable'
  | 'taskFolder'
  | 'broker'
  | 'terminals'
  | 'home'
  | 'refreshConfig'
  | 'sessions'
  | 'checkSessionCanContinue'
> &
  SettingsCore &
  McpCore;

export interface CoreHandlersOptions {
  mode: 'electron' | 'headless';
  /** The hub passed to AgentCore.open through coreEventHooks. */
  hub: EventHub;
  /** The app's version, for app.getStatus. */
  version: string;
  maxConcurrentTasks?: number;
  /** Where timeline.page reads; default: a reader connection to the core's timeline file. */
  timeline?: TimelineReader;
}

export interface CoreHandlers {
  /** Every channel of the contract. */
  handlers: ContractHandlers;
  /** The UI's confirmation front door, attached to the core's broker. */
  door: UiFrontDoor;
  /** Resolves once no task is running. */
  idle(): Promise<void>;
  /**
   * Pause (the desktop tray's "Pause agent"): running tasks are stopped and task.start is
   * refused until resumed. Returns how many tasks were stopped.
   */
  setPaused(paused: boolean): number;
  readonly paused: boolean;
  /** Stops every task, waits for them, detaches the door; the core stays open. */
  close(): Promise<void>;
}

interface RunningTask {
  taskId: string;
  sessionId: string;
  prompt: string;
  startedAt: number;
  controller: AbortController;
  done: Promise<void>;
}

type TaskEnded = EventPayloadOf<'task.ended'>;

export function createCoreHandlers(core: HandledCore, options: CoreHandlersOptions): CoreHandlers {
  const { hub } = options;
  if (!hub.isHooked) {
    // Without the hooks the runner never learns a task's id and the UI sees no timeline.
    throw new Error('createCoreHandlers: pass coreEventHooks(hub) to AgentCore.open first');
  }
  const door = new UiFrontDoor({
    emit: hub.emit,
    hasClients: () => hub.hasConfirmationClients(),
  });
  const detachDoor = core.broker.attach(door);
  const stopTerminals = core.terminals.subscribe(hub.emit);
  const tasks = new TaskRunner(core, hub, options.maxConcurrentTasks ?? MAX_CONCURRENT_TASKS);
  const stopSessionEvents = core.sessions.onChange((change: SessionChange) => {
    if (change.session) hub.emit('session.updated', change.session);
    else hub.emit('session.deleted', { sessionId: change.sessionId });
  });

  let timeline = options.timeline;
  let closeTimeline: (() => void) | undefined;
  const reader = (): TimelineReader => {
    if (!timeline) {
      // A connection of our own: WAL lets it read while the audit trail writes.
      const db = openDatabase(timelineDatabaseFile(core.home));
      closeTimeline = () => db.close();
      timeline = new TimelineStore(db);
    }
    return timeline;
  };

  const handlers: ContractHandlers = {
    'app.getStatus': () => ({
      version: options.version,
      mode: options.mode,
      platform: process.platform,
    }),
    ...core.terminals.handlers,
    'task.start': (request) => tasks.start(request),
    'session.continue': ({ sessionId, prompt, cwd }) =>
      tasks.start({ prompt, ...(cwd === undefined ? {} : { cwd }), sessionId }),
    'session.recent': (request) => core.sessions.list(request),
    'session.turns': (request) => sessionTurnsView(core.sessions, reader(), request),
    'session.rename': ({ sessionId, title }) => core.sessions.rename(sessionId, title),
    'session.delete': ({ sessionId }) => core.sessions.delete(sessionId),
    'task.stop': ({ taskId }) => ({ stopped: tasks.stop(taskId) }),
    'task.running': () => ({ tasks: tasks.list() }),
    'confirmation.pending': () => ({ requests: door.pending() }),
    'confirmation.answer': ({ id, answer }) => ({ accepted: door.answer(id, answer) }),
    'timeline.page': (request) => reader().page(request),
    ...createSettingsHandlers(core, { timeline: reader }),
    ...createMcpHandlers(core),
  };

  let closing: Promise<void> | undefined;
  return {
    handlers,
    door,
    idle: () => tasks.idle(),
    setPaused: (paused) => tasks.setPaused(paused),
    get paused() {
      return tasks.paused;
    },
    close: () =>
      (closing ??= (async () => {
        await tasks.close();
        stopSessionEvents();
        detachDoor();
        stopTerminals();
        closeTimeline?.();
      })()),
  };
}

class TaskRunner {
  private readonly running = new Map<string, RunningTask>();
  /** Tasks between task.start and learning their id. */
  private starting = 0;
  /** Starts one at a time: see start(). */
  private startLock: Promise<void> = Promise.resolve();
  private closed = false;
  paused = false;

  constructor(
    private readonly core: HandledCore,
    private readonly hub: EventHub,
    private readonly max: number,
  ) {}

  list(): ResponseOf<'task.running'>['tasks'] {
    return [...this.running.values()].map(({ taskId, prompt, startedAt }) => ({
      taskId,
      prompt,
      startedAt,
    }));
  }

  stop(taskId: string): boolean {
    const task = this.running.get(taskId);
    if (!task) return false;
    task.controller.abort();
    return true;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0 || this.starting > 0) {
      await Promise.all([this.startLock, ...[...this.running.values()].map((task) => task.done)]);
    }
  }

  setPaused(paused: boolean): number {
    this.paused = paused;
    if (!paused) return 0;
    for (const task of this.running.values()) task.controller.abort();
    return this.running.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    // A quit, not the user's Stop: the turns end interrupted and their sessions go on.
    for (const task of this.running.values()) task.controller.abort(QUIT_REASON);
    await this.idle();
  }

  async start({
    prompt,
    cwd,
    sessionId,
  }: RequestOf<'task.start'> & { sessionId?: string }): Promise<ResponseOf<'task.start'>> {
    if (this.closed) throw shuttingDown();
    if (this.paused) {
      throw new AgentError(
        'agent_paused',
        'task.start: the agent is paused; resume it (tray menu: untick "Pause agent") to start tasks',
      );
    }
    if (this.running.size + this.starting >= this.max) {
      throw new AgentError(
        'too_many_tasks',
        `task.start: ${this.max} tasks are running already, the most at once; stop one (task.stop) or wait for one to end`,
      );
    }
    // An unknown session, or one whose turn still runs, before anything else.
    if (sessionId !== undefined) this.core.checkSessionCanContinue(sessionId);
    // config.yaml as saved now (the settings view, `omnipalm config set`): this task's rules.
    await this.core.refreshConfig();
    // Setup problems (no key, a folder outside allowed_paths) as the call's error, in words
    // the user can act on, before anything runs.
    const provider = this.core.provider();
    const folder = this.core.taskFolder(cwd, { strict: cwd !== undefined });
    await this.core.checkModelReachable();

    this.starting += 1;
    const previous = this.startLock;
    let release!: () => void;
    this.startLock = new Promise((resolve) => (release = resolve));
    try {
      await previous;
      if (this.closed) throw shuttingDown();
      if (this.paused) {
        throw new AgentError(
          'agent_paused',
          'task.start: the agent was paused meanwhile; resume it (tray menu: untick "Pause agent") to start tasks',
        );
      }
      return await this.launch(prompt, folder, provider, sessionId);
    } finally {
      this.starting -= 1;
      release();
    }
  }

  /** Runs the task and resolves with its ids once the core has started its turn. */
  private launch(
    prompt: string,
    cwd: string,
    provider: ReturnType<HandledCore['provider']>,
    sessionId: string | undefined,
  ): Promise<TurnStart> {
    const { hub } = this;
    const controller = new AbortController();
    let task: RunningTask | undefined;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    // Nothing streams before the ids are known, but if it did it waits rather than being lost.
    const early: (() => void)[] = [];
    const forTask = (send: (taskId: string) => void) => {
      if (task) send(task.taskId);
      else early.push(() => send((task as RunningTask).taskId));
    };

    return new Promise<TurnStart>((resolve, reject) => {
      const started = (turn: TurnStart) => {
        task = {
          taskId: turn.taskId,
          sessionId: turn.sessionId,
          prompt,
          startedAt: Date.now(),
          controller,
          done,
        };
        this.running.set(task.taskId, task);
        hub.emit('task.started', { taskId: turn.taskId, prompt, sessionId: turn.sessionId });
        for (const send of early.splice(0)) send();
        resolve(turn);
      };
      const end = (payload: (running: RunningTask) => TaskEnded) => {
        if (task) {
          this.running.delete(task.taskId);
          hub.emit('task.ended', payload(task));
        }
        finish();
      };
      this.core
        .runTask(prompt, {
          cwd,
          provider,
          signal: controller.signal,
          ...(sessionId === undefined ? {} : { sessionId }),
          onStart: started,
          onText: (text) => forTask((taskId) => hub.emit('task.text', { taskId, text })),
          onTool: (progress) => forTask((taskId) => hub.emit('task.tool', { taskId, ...progress })),
        })
        .then(
          (outcome) => {
            end(() => endedPayload(outcome));
            reject(new Error('task.start: the task ended before it started'));
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            end((running) => ({
              taskId: running.taskId,
              sessionId: running.sessionId,
              status: 'error',
              text: '',
              error: message,
              refused: [],
              costUsd: 0,
              iterations: 0,
            }));
            // A no-op once the turn started (the promise already resolved). A setup problem
            // found inside runTask keeps its kind, so the caller still learns whose fault it is.
            reject(
              error instanceof AgentError
                ? new AgentError(error.kind, `task.start: ${message}`, { cause: error })
                : new Error(`task.start: ${message}`, { cause: error }),
            );
          },
        );
    });
  }
}

function shuttingDown(): AgentError {
  return new AgentError('shutting_down', 'task.start: the agent is shutting down; no new tasks');
}

function endedPayload(outcome: CoreTaskOutcome): TaskEnded {
  return {
    taskId: outcome.taskId,
    status: outcome.status,
    text: outcome.text,
    ...(outcome.stopReason
      ? { stopReason: { limit: outcome.stopReason.limit, message: outcome.stopReason.message } }
      : {}),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    refused: outcome.refused,
    costUsd: outcome.costUsd,
    iterations: outcome.iterations,
    sessionId: outcome.sessionId,
    sessionCostUsd: outcome.sessionCostUsd,
  };
}
