// A stored turn read back for people: its model messages (the Anthropic Messages shape, as the
// model saw them) turned into what the agent said and which tools it called, with how each
// call ended. The stored messages are the record; this only reads them.
import type { SessionMessage } from '../store/sessionStore.js';

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
