// A session's earlier turns as the next request's context. The stored messages are exactly
// what the model saw, but a turn a crash or quit cut off can end anywhere: after the model
// asked for tools whose results never came, or after the results with no answer. The Messages
// API refuses such a conversation, so it is repaired here — never by dropping what was said:
// a call without a result gets one that says it never ran, and a turn without an answer gets
// an assistant note that says so. Roles then alternate, user first, assistant last.
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageParam } from './modelProvider.js';

type Block = Anthropic.Messages.ContentBlockParam;

export const NOT_RUN = 'not run: the turn was cut off before this call ran';
export const NO_ANSWER = '(this turn was cut off before an answer: nothing more was done)';

function blocksOf(content: MessageParam['content']): Block[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : [...content];
}

function toolUseIds(message: MessageParam): string[] {
  if (typeof message.content === 'string') return [];
  return message.content.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
}

function toolResultIds(message: MessageParam): Set<string> {
  if (typeof message.content === 'string') return new Set();
  return new Set(
    message.content.flatMap((block) => (block.type === 'tool_result' ? [block.tool_use_id] : [])),
  );
}

/** The conversation made valid for the API; a valid one comes back equal (not copied). */
export function repairHistory(messages: readonly MessageParam[]): MessageParam[] {
  const out: MessageParam[] = [];
  let changed = false;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as MessageParam;
    const previous = out.at(-1);
    if (previous === undefined && message.role !== 'user') {
      // A conversation starts with the user; an orphan reply is kept as quoted text.
      changed = true;
      out.push({ role: 'user', content: '(earlier conversation)' });
    }
    const last = out.at(-1);
    if (last && last.role === message.role) {
      changed = true;
      out[out.length - 1] = {
        role: last.role,
        content: [...blocksOf(last.content), ...blocksOf(message.content)],
      } as MessageParam;
    } else {
      out.push(message);
    }
    // Calls of an assistant message are answered by the next message, or repaired here.
    const current = out.at(-1) as MessageParam;
    if (current.role === 'assistant') {
      const ids = toolUseIds(current);
      if (ids.length === 0) continue;
      const next = messages[index + 1];
      const answered = next && next.role === 'user' ? toolResultIds(next) : new Set<string>();
      const missing = ids.filter((id) => !answered.has(id));
      if (missing.length === 0) continue;
      changed = true;
      const results: Block[] = missing.map((id) => ({
        type: 'tool_result',
        tool_use_id: id,
        is_error: true,
        content: NOT_RUN,
      }));
      if (next && next.role === 'user') {
        // The results come first in that message, as the API wants them.
        out.push({ role: 'user', content: [...results, ...blocksOf(next.content)] });
        index += 1;
      } else {
        out.push({ role: 'user', content: results });
      }
    }
  }
  if (out.at(-1)?.role === 'user') {
    changed = true;
    out.push({ role: 'assistant', content: NO_ANSWER });
  }
  return changed ? out : (messages as MessageParam[]);
}
