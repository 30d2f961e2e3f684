// What the agent loop needs from a model, whoever serves it: one turn of a conversation kept
// in the Anthropic Messages shape (the canonical shape inside OmniPalm). The Anthropic
// provider passes it through the real SDK; the openai-compatible provider (Ollama,
// llama.cpp's server, vLLM…) translates it to /v1/chat/completions and back.
import type Anthropic from '@anthropic-ai/sdk';
import type { TokenUsage } from '../policy/runBudget.js';

export type MessageParam = Anthropic.Messages.MessageParam;
export type ToolDefinition = Anthropic.Messages.Tool;
export type TurnBlock = Anthropic.Messages.TextBlockParam | Anthropic.Messages.ToolUseBlockParam;

export interface TurnRequest {
  system: string;
  messages: MessageParam[];
  tools: ToolDefinition[];
  maxTokens: number;
  /** Aborts the request in flight (the run budget's timeout, the user's Stop). */
  signal: AbortSignal;
  /** Called with each piece of the answer's text as it streams in. */
  onText?: (text: string) => void;
}

export interface TurnResult {
  /** Text and tool_use blocks, in order; pushed back as the assistant's message. */
  content: TurnBlock[];
  /** 'tool_use' when the model wants tools run; anything else ends the task. */
  stopReason: string;
  usage: TokenUsage;
}

export interface ModelProvider {
  /** 'anthropic' or 'openai-compatible'. */
  readonly name: string;
  readonly model: string;
  turn(request: TurnRequest): Promise<TurnResult>;
}

/**
 * A model API failure, said so the user can act on it. `kind` 'auth' (401/403: fix the key),
 * 'transient' (overloaded, rate limited, network — already retried with backoff), 'request'
 * (the API refused the request itself).
 */
export class ModelError extends Error {
  constructor(
    readonly kind: 'auth' | 'transient' | 'request',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export const AUTH_FIX =
  'set a valid key with: omnipalm keys set llm_api_key (or the OMNIPALM_LLM_API_KEY environment variable)';
