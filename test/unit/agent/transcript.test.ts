import { describe, expect, it } from 'vitest';
import { toolCallsOf, turnAnswerParts } from '../../../src-main/agent/transcript.js';
import type { SessionMessage } from '../../../src-main/store/sessionStore.js';

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
