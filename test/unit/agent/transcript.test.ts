import { describe, expect, it } from 'vitest';
import {
  answerOf,
  stepsOf,
  toolCallsOf,
  turnAnswerParts,
  turnView,
  type StepEvent,
} from '../../../src-main/agent/transcript.js';
import type { SessionMessage, Turn } from '../../../src-main/store/sessionStore.js';

const use = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input });
const result = (id: string, content: string, isError = false) => ({
  type: 'tool_result',
  tool_use_id: id,
  content,
  ...(isError ? { is_error: true } : {}),
});

/** A turn as the core stores it: prompt, a reply with calls, their results, the answer. */
const TURN: SessionMessage[] = [
  { role: 'user', content: 'clean up and report' },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Working on it.' },
      use('a', 'fs_read', { path: 'notes.txt' }),
      use('b', 'email_send', { to: ['x@example.com'] }),
      use('c', 'fs_delete', { paths: ['*.log'] }),
      use('d', 'shell_exec', { command: 'ls' }),
      use('e', 'http_request', { url: 'https://example.com' }),
    ],
  },
  {
    role: 'user',
    content: [
      result('a', '<tool_result source="fs.read" trust="untrusted">…</tool_result>'),
      result('b', 'denied by policy: untrusted content entered this task', true),
      result('c', 'the user declined this action', true),
      result('d', 'ENOENT: no such file', true),
      result('e', 'not run: the task stopped before this call', true),
    ],
  },
  { role: 'assistant', content: [{ type: 'text', text: 'Done **now**.' }] },
];

describe('transcript: a stored turn read back', () => {
  it('names each tool call as the audit log does, with how it ended', () => {
    const calls = toolCallsOf(TURN);
    expect([...calls.values()].map((call) => [call.tool, call.status])).toEqual([
      ['fs.read', 'ok'],
      ['email.send', 'denied'],
      ['fs.delete', 'denied'],
      ['shell.exec', 'error'],
      ['http.request', 'not run'],
    ]);
    expect(calls.get('a')!.input).toBe('{"path":"notes.txt"}');
    expect(calls.get('b')!.detail).toBe('denied by policy: untrusted content entered this task');
  });

  it('keeps a call without a result (a turn a crash cut off) as having none', () => {
    const cut: SessionMessage[] = [TURN[0]!, TURN[1]!];
    expect(toolCallsOf(cut).get('a')!.status).toBe('no result');
  });

  it('lists what the agent said and did in order, never the prompt or the results', () => {
    expect(turnAnswerParts(TURN)).toEqual([
      { kind: 'text', text: 'Working on it.' },
      ...['a', 'b', 'c', 'd', 'e'].map((id) => ({ kind: 'tool', id })),
      { kind: 'text', text: 'Done **now**.' },
    ]);
    expect(turnAnswerParts([{ role: 'assistant', content: 'plain' }])).toEqual([
      { kind: 'text', text: 'plain' },
    ]);
  });
});

describe('a turn as the window shows it', () => {
  const event = (
    id: number,
    time: number,
    kind: StepEvent['kind'],
    fields: Partial<StepEvent> = {},
  ): StepEvent => ({ id, time, kind, summary: `[${kind}] x`, ...fields });

  it('takes steps from the timeline: tool calls with status and duration, confirmations', () => {
    const events = [
      // Out of order on purpose: the page comes newest first.
      event(4, 1_400, 'tool_result', { tool: 'fs.delete', status: 'success' }),
      event(3, 1_300, 'confirmation', {
        operation: 'delete',
        status: 'yes',
        summary: '[confirmation] fs.delete "This will delete 2 files. Proceed?"',
      }),
      event(2, 1_100, 'tool_call', {
        tool: 'fs.delete',
        summary: '[tool_call] fs.delete paths="*.log"',
      }),
      event(1, 1_000, 'user_command'),
      event(5, 1_500, 'tool_call', { tool: 'email.send' }),
      event(6, 1_550, 'tool_result', { status: 'denied' }),
    ];
    expect(stepsOf(TURN, events)).toEqual([
      {
        kind: 'tool',
        name: 'fs.delete',
        summary: 'fs.delete paths="*.log"',
        time: 1_100,
        status: 'ok',
        durationMs: 300,
      },
      {
        kind: 'confirmation',
        name: 'delete',
        summary: 'fs.delete "This will delete 2 files. Proceed?"',
        status: 'yes',
        time: 1_300,
      },
      {
        kind: 'tool',
        name: 'email.send',
        summary: 'x',
        time: 1_500,
        status: 'denied',
        durationMs: 50,
      },
    ]);
  });

  it('falls back to the stored messages, and answers with the last assistant text', () => {
    const turn: Turn = {
      id: 1,
      seq: 3,
      prompt: 'clean up and report',
      status: 'done',
      startedAt: 1,
      endedAt: 2,
      costUsd: 0.01,
      messages: TURN,
    };
    const view = turnView(turn, []);
    expect(view.steps.map((step) => [step.name, step.status])).toEqual(
      [...toolCallsOf(TURN).values()].map((call) => [
        call.tool,
        call.status === 'no result' ? undefined : call.status,
      ]),
    );
    expect(view.answer).toBe(answerOf(TURN));
    expect(view.answer.length).toBeGreaterThan(0);
    // A running turn has no answer yet, whatever its messages hold.
    expect(turnView({ ...turn, status: 'running' }, []).answer).toBe('');
  });
});
