// The Anthropic provider: one turn through the real SDK, streamed. The SDK already retries
// transient failures (connection errors, 408/409/429/5xx) with exponential backoff; what is
// left when it gives up is said as a ModelError the user can act on.
import Anthropic from '@anthropic-ai/sdk';
import {
  AUTH_FIX,
  ModelError,
  type ModelProvider,
  type TurnBlock,
  type TurnRequest,
  type TurnResult,
} from './modelProvider.js';

export function createAnthropicProvider(client: Anthropic, model: string): ModelProvider {
  return {
    name: 'anthropic',
    model,
    async turn(request: TurnRequest): Promise<TurnResult> {
      try {
        const stream = client.messages.stream(
          {
            model,
            max_tokens: request.maxTokens,
            system: request.system,
            tools: request.tools,
            messages: request.messages,
          },
          { signal: request.signal },
        );
        if (request.onText) stream.on('text', request.onText);
        const reply = await stream.finalMessage();
        const content = reply.content.flatMap((block): TurnBlock[] => {
          if (block.type === 'text') return [{ type: 'text', text: block.text }];
          if (block.type === 'tool_use') {
            return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
          }
          return [];
        });
        return { content, stopReason: reply.stop_reason ?? 'end_turn', usage: reply.usage };
      } catch (error) {
        throw explainAnthropicError(error, client.baseURL, request.signal, client.apiKey);
      }
    },
  };
}

/** A ModelError for API failures; an abort (the budget or the user) passes through as is. */
export function explainAnthropicError(
  error: unknown,
  baseURL: string,
  signal: AbortSignal,
  apiKey?: string | null,
) {
  if (signal.aborted || error instanceof Anthropic.APIUserAbortError) return error;
  const where = safeOrigin(baseURL);
  // A server (or proxy) may echo the key in its error text; it never goes further.
  const said = (text: string) =>
    apiKey ? text.split(apiKey).join('[REDACTED:llm_api_key]') : text;
  if (
    error instanceof Anthropic.AuthenticationError ||
    error instanceof Anthropic.PermissionDeniedError
  ) {
    return new ModelError(
      'auth',
      `the model API at ${where} refused the key (HTTP ${error.status}): ${AUTH_FIX}`,
      error.status,
    );
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return new ModelError(
      'transient',
      `could not reach the model API at ${where} (retried with backoff): ${said(error.message)}; check the network or llm.base_url`,
    );
  }
  if (error instanceof Anthropic.APIError) {
    const status = error.status ?? 0;
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return new ModelError(
      transient ? 'transient' : 'request',
      transient
        ? `the model API at ${where} is unavailable (HTTP ${status}, retried with backoff): ${said(error.message)}; try again later`
        : `the model API at ${where} refused the request (HTTP ${status}): ${said(error.message)}`,
      status,
    );
  }
  return error;
}

function safeOrigin(baseURL: string): string {
  try {
    return new URL(baseURL).origin;
  } catch {
    return 'the configured endpoint';
  }
}
