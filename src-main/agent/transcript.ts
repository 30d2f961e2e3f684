// A stored turn read back for people: its model messages (the Anthropic Messages shape, as the
// model saw them) turned into what the agent said and which tools it called, with how each
// call ended; for the window, with the times and confirmations its timeline events add. The
// stored messages are the record; this only reads them. Used by `omnipalm sessions show` and
// the session.turns channel.
import type { SessionMessage, Turn } from '../store/sessionStore.js';
import type { TimelineEvent, TimelineReader } from '../store/timelineStore.js';
import type { Sessions } from './sessions.js';

export interface ToolCallLine {
  /** The audit name (fs.read) of the model's tool name (fs_read). */
  tool: string;
  /** The call's input, short. */
  input: string;
  status: 'ok' | 'denied' | 'error' | 'not run' | 'no result';
  /** Why it was denied or failed. */
  detail?: string;
}

export type AnswerPart = { kind: 'text'; text: string } | { kind: 'tool'; id: string };

interface Block {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
  text?: unknown;
  tool_use_id?: unknown;
  is_error?: unknown;
  content?: unknown;
}

const MAX_INPUT = 100;

function blocksOf(message: SessionMessage): Block[] {
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  return Array.isArray(message.content)
    ? message.content.filter((block): block is Block => typeof block === 'object' && block !== null)
    : [];
}

/** fs_read → fs.read: the model's names use _ where the audit log uses a dot (the first one). */
export function auditToolName(modelName: string): string {
  return modelName.replace('_', '.');
}

function shortInput(input: unknown): string {
  const json = JSON.stringify(input) ?? '';
  return json.length > MAX_INPUT ? `${json.slice(0, MAX_INPUT)}…` : json;
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((block) => (typeof block?.text === 'string' ? (block.text as string) : ''))
      .join('');
  }
  return '';
}

function statusOf(block: Block): Pick<ToolCallLine, 'status' | 'detail'> {
  if (block.is_error !== true) return { status: 'ok' };
  const text = resultText(block.content);
  const detail = text.length > 160 ? `${text.slice(0, 160)}…` : text;
  if (/^not run\b/.test(text)) return { status: 'not run', detail };
  if (/^(denied by policy|the user declined|nobody approved)/.test(text)) {
    return { status: 'denied', detail };
  }
  return { status: 'error', detail };
}

/** Every tool call of a turn by its id, with how it ended. */
export function toolCallsOf(messages: readonly SessionMessage[]): Map<string, ToolCallLine> {
  const calls = new Map<string, ToolCallLine>();
  for (const message of messages) {
    for (const block of blocksOf(message)) {
      if (
        message.role === 'assistant' &&
        block.type === 'tool_use' &&
        typeof block.id === 'string'
      ) {
        calls.set(block.id, {
          tool: auditToolName(String(block.name)),
          input: shortInput(block.input),
          status: 'no result',
        });
      }
      if (message.role === 'user' && block.type === 'tool_result') {
        const call = calls.get(String(block.tool_use_id));
        if (call) Object.assign(call, statusOf(block));
      }
    }
  }
  return calls;
}

/** What the agent said and did in a turn, in order: its text, and each tool call's id. */
export function turnAnswerParts(messages: readonly SessionMessage[]): AnswerPart[] {
  const parts: AnswerPart[] = [];
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const block of blocksOf(message)) {
      if (block.type === 'text' && typeof block.text === 'string') {
        parts.push({ kind: 'text', text: block.text });
      } else if (block.type === 'tool_use' && typeof block.id === 'string') {
        parts.push({ kind: 'tool', id: block.id });
      }
    }
  }
  return parts;
}

/** One step of a turn as the window shows it (the contract's turnStep). */
export interface TurnStep {
  kind: 'tool' | 'confirmation';
  name: string;
  summary: string;
  status?: string;
  time?: number;
  durationMs?: number;
}

/** A turn as the window shows it (the contract's sessionTurn). */
export interface TurnView {
  seq: number;
  prompt: string;
  status: Turn['status'];
  startedAt: number;
  endedAt?: number;
  costUsd: number;
  taskId?: string;
  steps: TurnStep[];
  answer: string;
}

/** What the timeline knows of a turn's steps (TimelineStore events of its task, any order). */
export type StepEvent = Pick<
  TimelineEvent,
  'id' | 'time' | 'kind' | 'summary' | 'tool' | 'operation' | 'status'
>;

const RESULT_STATUS: Record<string, string> = { success: 'ok', error: 'error', denied: 'denied' };
const KIND_PREFIX = /^\[\w+\]\s*/;

/** The text of the turn's last assistant message: its answer, markdown as the model wrote it. */
export function answerOf(messages: readonly SessionMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as SessionMessage;
    if (message.role !== 'assistant') continue;
    return blocksOf(message)
      .flatMap((block) =>
        block.type === 'text' && typeof block.text === 'string' ? [block.text] : [],
      )
      .join('');
  }
  return '';
}

/**
 * The turn's steps: from its timeline events when there are any (they have the times and the
 * confirmations), else from its stored messages (tool calls and how each ended).
 */
export function stepsOf(messages: readonly SessionMessage[], events: readonly StepEvent[]) {
  const steps: TurnStep[] = [];
  if (events.length === 0) {
    for (const call of toolCallsOf(messages).values()) {
      steps.push({
        kind: 'tool',
        name: call.tool,
        summary: call.input,
        ...(call.status === 'no result' ? {} : { status: call.status }),
      });
    }
    return steps;
  }
  const open: TurnStep[] = [];
  for (const event of [...events].sort((a, b) => a.id - b.id)) {
    const summary = event.summary.replace(KIND_PREFIX, '');
    if (event.kind === 'tool_call') {
      const step: TurnStep = {
        kind: 'tool',
        name: event.tool ?? summary.split(' ')[0] ?? 'tool',
        summary,
        time: event.time,
      };
      steps.push(step);
      open.push(step);
    } else if (event.kind === 'tool_result') {
      // Tools of a turn run one after another: a result ends the latest call still open.
      const step = open.pop();
      if (!step) continue;
      step.status = RESULT_STATUS[event.status ?? ''] ?? event.status ?? 'ok';
      if (step.time !== undefined) step.durationMs = Math.max(0, event.time - step.time);
    } else if (event.kind === 'confirmation') {
      steps.push({
        kind: 'confirmation',
        name: event.operation ?? event.tool ?? 'confirmation',
        summary,
        ...(event.status === undefined ? {} : { status: event.status }),
        time: event.time,
      });
    }
  }
  return steps;
}

/** A stored turn and its timeline events as the window shows them. */
export function turnView(turn: Turn, events: readonly StepEvent[]): TurnView {
  return {
    seq: turn.seq,
    prompt: turn.prompt,
    status: turn.status,
    startedAt: turn.startedAt,
    ...(turn.endedAt === undefined ? {} : { endedAt: turn.endedAt }),
    costUsd: turn.costUsd,
    ...(turn.taskId === undefined ? {} : { taskId: turn.taskId }),
    steps: stepsOf(turn.messages, events),
    answer: turn.status === 'running' ? '' : answerOf(turn.messages),
  };
}

/** Most timeline events read to show one turn's steps (a turn of 500 events is a runaway). */
export const TURN_EVENTS = 500;

/**
 * The session.turns answer: the session, and a page of its turns as the window shows them, each
 * with its steps from its task's timeline events. What the server runs for the channel.
 */
export function sessionTurnsView(
  sessions: Pick<Sessions, 'get' | 'turns'>,
  timeline: TimelineReader,
  request: { sessionId: string; beforeSeq?: number | undefined; limit?: number | undefined },
) {
  const { turnCount, runningTurnId, ...summary } = sessions.get(request.sessionId);
  const page = sessions.turns(request.sessionId, request.beforeSeq, request.limit);
  return {
    session: { ...summary, turnCount, running: runningTurnId !== undefined },
    turns: page.turns.map((turn) =>
      turnView(
        turn,
        turn.taskId === undefined
          ? []
          : timeline.page({ taskId: turn.taskId, limit: TURN_EVENTS }).events,
      ),
    ),
    ...(page.nextBeforeSeq === undefined ? {} : { nextBeforeSeq: page.nextBeforeSeq }),
  };
}
