// The openai-compatible model provider: local models served behind an OpenAI-style
// POST /chat/completions (Ollama, llama.cpp's server, vLLM, LM Studio…). The conversation
// stays in the Anthropic shape inside OmniPalm; this file translates it to chat messages on
// the way out and the streamed answer back into text and tool_use blocks.
//
// As in modelClient.ts, every request body passes through the Redactor before it leaves the
// process: a tool result that printed a token must not reach a model (a local one may log
// prompts, or be a remote box the user forwarded a port to). The key travels only in the
// Authorization header and is never written into an error message.
//
// The base URL is used as given, version path included (http://127.0.0.1:11434/v1). We do
// not guess a missing /v1: servers mount the API at different roots, and a guessed path that
// happens to answer would hide a mistyped setting. A 404 says to check the base URL instead.
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { redactRequestBody, type BodyRedactor } from './modelClient.js';
import {
  AUTH_FIX,
  ModelError,
  type MessageParam,
  type ModelProvider,
  type ToolDefinition,
  type TurnBlock,
  type TurnRequest,
  type TurnResult,
} from './modelProvider.js';

export interface OpenAiProviderOptions {
  /** The API root with its version path: http://127.0.0.1:11434/v1 (Ollama),
   * http://127.0.0.1:8080/v1 (llama.cpp), http://127.0.0.1:8000/v1 (vLLM). */
  baseURL: string;
  model: string;
  /** Sent as `Authorization: Bearer <key>` when given; Ollama and llama.cpp need none. */
  apiKey?: string;
  redactor: BodyRedactor;
  /** Retries after the first attempt for 408/409/429/5xx and network errors. */
  maxRetries?: number;
  /** First backoff wait; doubles on each retry (a Retry-After header wins, up to 30 s). */
  retryBaseMs?: number;
  /** A whole turn, retries and waits included; past it the turn is aborted. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createOpenAiProvider(options: OpenAiProviderOptions): ModelProvider {
  return new OpenAiProvider(options);
}

const MAX_RETRY_WAIT_MS = 30_000;
const MAX_DETAIL_CHARS = 300;

interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

// What comes back is parsed before it is trusted: a server that answers something else (a
// proxy's HTML page, a half-compatible server) gets a clear error, not a TypeError.
const ToolCallShape = z.object({
  index: z.number().int().nonnegative().nullish(),
  id: z.string().nullish(),
  function: z
    .object({
      name: z.string().nullish(),
      // Some servers send the arguments as an object instead of a JSON string.
      arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
    })
    .nullish(),
});
const UsageShape = z
  .object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() })
  .nullish();
const StreamChunkShape = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().nullish(),
        delta: z
          .object({ content: z.string().nullish(), tool_calls: z.array(ToolCallShape).nullish() })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: UsageShape,
  error: z.unknown().optional(),
});
const CompletionShape = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z.array(ToolCallShape).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: UsageShape,
});

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/** The answer as it streams in. */
class Answer {
  text = '';
  readonly calls: PendingCall[] = [];
  finishReason: string | undefined;
  usage: z.infer<typeof UsageShape>;
  finished = false;

  addToolCall(call: z.infer<typeof ToolCallShape>, fallbackIndex: number): void {
    const index = call.index ?? fallbackIndex;
    let pending = this.calls[index];
    if (!pending) {
      pending = { id: '', name: '', arguments: '' };
      this.calls[index] = pending;
    }
    if (call.id) pending.id = call.id;
    if (call.function?.name) pending.name += call.function.name;
    const args = call.function?.arguments;
    if (typeof args === 'string') pending.arguments += args;
    else if (args) pending.arguments = JSON.stringify(args);
  }
}

class OpenAiProvider implements ModelProvider {
  readonly name = 'openai-compatible';
  readonly model: string;
  private readonly endpoint: string;
  private readonly origin: string;
  private readonly fetch: typeof fetch;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.model = options.model;
    this.endpoint = chatCompletionsURL(options.baseURL);
    this.origin = new URL(this.endpoint).origin;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.retryBaseMs = Math.max(0, options.retryBaseMs ?? 500);
  }

  async turn(request: TurnRequest): Promise<TurnResult> {
    const { timeoutMs } = this.options;
    if (!timeoutMs) return this.attempt(request, request.signal);
    const timeout = new AbortController();
    const timer = setTimeout(() => {
      timeout.abort(
        new ModelError(
          'transient',
          `the model server at ${this.origin} did not finish answering within ${timeoutMs} ms; ` +
            'is it running, and is the model loaded?',
        ),
      );
    }, timeoutMs);
    try {
      return await this.attempt(request, AbortSignal.any([request.signal, timeout.signal]));
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(request: TurnRequest, signal: AbortSignal): Promise<TurnResult> {
    signal.throwIfAborted();
    const body = redactRequestBody(
      JSON.stringify(this.requestBody(request)),
      this.options.redactor,
    );
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'text/event-stream, application/json',
    };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const attempts = this.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(this.endpoint, { method: 'POST', headers, body, signal });
      } catch (error) {
        // An abort (the user's Stop, the budget, the timeout) is never retried.
        if (signal.aborted) throw signal.reason;
        const failure = networkFailure(error);
        if (attempt >= attempts) throw this.unavailable(failure.code, failure.detail, attempt);
        await wait(this.backoff(attempt), signal);
        continue;
      }
      if (response.ok) return this.readAnswer(response, request, signal);

      const { status } = response;
      let detail: string;
      try {
        detail = this.scrub(errorMessageOf(await response.text()));
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        detail = this.scrub(networkFailure(error).detail);
      }
      if (status === 401 || status === 403) {
        const refused = this.options.apiKey ? 'refused the key' : 'asked for a key';
        throw new ModelError(
          'auth',
          `the model server at ${this.origin} ${refused} (HTTP ${status}): ${AUTH_FIX}`,
          status,
        );
      }
      if (status === 408 || status === 409 || status === 429 || status >= 500) {
        if (attempt >= attempts) throw this.unavailable(`HTTP ${status}`, detail, attempt, status);
        const retryAfter = retryAfterMs(response.headers.get('retry-after'));
        await wait(retryAfter ?? this.backoff(attempt), signal);
        continue;
      }
      const hint =
        status === 404
          ? '; check the model name and that the base URL includes the API version path ' +
            '(http://127.0.0.1:11434/v1 for Ollama)'
          : '';
      throw new ModelError(
        'request',
        `the model server at ${this.origin} refused the request (HTTP ${status}): ${detail}${hint}`,
        status,
      );
    }
  }

  private requestBody(request: TurnRequest) {
    return {
      model: this.model,
      max_tokens: request.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
      messages: toChatMessages(request.system, request.messages),
      // An empty tools array is refused by some servers ("[] is too short"): leave it out.
      ...(request.tools.length > 0 ? { tools: request.tools.map(toChatTool) } : {}),
    };
  }

  private async readAnswer(
    response: Response,
    request: TurnRequest,
    signal: AbortSignal,
  ): Promise<TurnResult> {
    const answer = new Answer();
    try {
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('json') && !type.includes('event-stream')) {
        // A server that ignores `stream` and answers one chat.completion.
        this.applyCompletion(await response.text(), answer, request);
      } else if (response.body) {
        for await (const data of sseData(response.body)) {
          if (data.trim() === '[DONE]') {
            answer.finished = true;
            break;
          }
          this.applyChunk(data, answer, request);
        }
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof ModelError) throw error;
      // Not retried: part of the answer may already be on the user's screen.
      throw new ModelError(
        'transient',
        `the connection to the model server at ${this.origin} broke mid-answer: ` +
          this.scrub(networkFailure(error).detail),
      );
    }
    if (!answer.finished && answer.finishReason === undefined) {
      throw new ModelError(
        'transient',
        `the model server at ${this.origin} ended its answer before it was finished`,
      );
    }
    return this.result(answer);
  }

  private applyChunk(data: string, answer: Answer, request: TurnRequest): void {
    const chunk = StreamChunkShape.safeParse(parseJson(data));
    if (!chunk.success) throw this.notChat(data);
    if (chunk.data.error !== undefined && chunk.data.error !== null) {
      throw new ModelError(
        'request',
        `the model server at ${this.origin} stopped with an error: ` +
          this.scrub(errorMessageOf(JSON.stringify(chunk.data))),
      );
    }
    if (chunk.data.usage) answer.usage = chunk.data.usage;
    for (const choice of chunk.data.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      const piece = choice.delta?.content;
      if (piece) {
        answer.text += piece;
        request.onText?.(piece);
      }
      for (const call of choice.delta?.tool_calls ?? []) {
        answer.addToolCall(call, answer.calls.length);
      }
      if (choice.finish_reason) answer.finishReason = choice.finish_reason;
    }
  }

  private applyCompletion(text: string, answer: Answer, request: TurnRequest): void {
    const completion = CompletionShape.safeParse(parseJson(text));
    if (!completion.success) throw this.notChat(text);
    const [choice] = completion.data.choices;
    if (!choice) throw this.notChat(text);
    answer.text = choice.message.content ?? '';
    if (answer.text) request.onText?.(answer.text);
    (choice.message.tool_calls ?? []).forEach((call, index) =>
      answer.addToolCall({ ...call, index }, index),
    );
    answer.finishReason = choice.finish_reason ?? undefined;
    answer.usage = completion.data.usage;
    answer.finished = true;
  }

  private result(answer: Answer): TurnResult {
    const content: TurnBlock[] = answer.text ? [{ type: 'text', text: answer.text }] : [];
    answer.calls.forEach((call, index) => {
      if (!call.name) {
        throw new ModelError('request', 'the model returned a tool call without a tool name');
      }
      content.push({
        type: 'tool_use',
        // Some servers leave the id out; the tool result only needs it to match.
        id: call.id || `call_${index}_${Math.random().toString(36).slice(2, 10)}`,
        name: call.name,
        input: this.toolInput(call, answer.finishReason),
      });
    });
    const hasToolCalls = content.some((block) => block.type === 'tool_use');
    return {
      content,
      stopReason: stopReasonOf(answer.finishReason, hasToolCalls),
      usage: {
        input_tokens: answer.usage?.prompt_tokens ?? 0,
        output_tokens: answer.usage?.completion_tokens ?? 0,
      },
    };
  }

  private toolInput(call: PendingCall, finishReason: string | undefined): unknown {
    if (call.arguments.trim() === '') return {};
    try {
      return JSON.parse(call.arguments);
    } catch (error) {
      const cutOff = finishReason === 'length' ? ' (the answer was cut off at max_tokens)' : '';
      throw new ModelError(
        'request',
        `the model returned tool arguments that are not JSON: ${call.name} got ` +
          `${this.scrub(call.arguments)}${cutOff} (${(error as Error).message})`,
      );
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.retryBaseMs * 2 ** (attempt - 1), MAX_RETRY_WAIT_MS);
  }

  private unavailable(what: string, detail: string, attempts: number, status?: number) {
    return new ModelError(
      'transient',
      `the model server at ${this.origin} is unavailable (${what}) after ${attempts} ` +
        `attempt${attempts === 1 ? '' : 's'}: ${this.scrub(detail)}; is it running?`,
      status,
    );
  }

  private notChat(text: string): ModelError {
    return new ModelError(
      'request',
      `the model server at ${this.origin} answered something that is not a chat completion: ` +
        `${this.scrub(text)}; check that the base URL points at an OpenAI-compatible API`,
    );
  }

  /** Server text going into an error message: redacted, without the key, and short. */
  private scrub(text: string): string {
    const key = this.options.apiKey;
    const keyless = key ? text.split(key).join('[REDACTED:llm_api_key]') : text;
    const clean = this.options.redactor.redact(keyless.trim());
    return clean.length > MAX_DETAIL_CHARS ? `${clean.slice(0, MAX_DETAIL_CHARS)}…` : clean;
  }
}

function chatCompletionsURL(baseURL: string): string {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new Error(
      'openai-compatible provider: the base URL is not a URL; expected something like ' +
        'http://127.0.0.1:11434/v1',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(
      `openai-compatible provider: the base URL must start with http:// or https://, got ${url.protocol}`,
    );
  }
  // userinfo is dropped (fetch refuses URLs that carry credentials); a key goes in apiKey.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/chat/completions${url.search}`;
}

function toChatTool(tool: ToolDefinition) {
  return {
    type: 'function' as const,
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.input_schema,
    },
  };
}

type ContentBlock = Exclude<MessageParam['content'], string>[number];
type ToolResultContent = Anthropic.Messages.ToolResultBlockParam['content'];

const omitted = (type: string) => `[${type} omitted: the openai-compatible provider sends text]`;

function toolResultText(content: ToolResultContent): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((block) => (block.type === 'text' ? block.text : omitted(block.type)))
    .join('\n');
}

/** The Anthropic conversation as chat messages, in the same order. */
export function toChatMessages(system: string, messages: MessageParam[]): ChatMessage[] {
  const chat: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  for (const message of messages) {
    if (typeof message.content === 'string') {
      chat.push({ role: message.role, content: message.content });
    } else if (message.role === 'assistant') {
      chat.push(assistantMessage(message.content));
    } else {
      chat.push(...userMessages(message.content));
    }
  }
  return chat;
}

function assistantMessage(blocks: ContentBlock[]): ChatMessage {
  const text: string[] = [];
  const toolCalls: ChatToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text') text.push(block.text);
    if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // Thinking and server-tool blocks have no chat counterpart and are left out.
  }
  return {
    role: 'assistant',
    content: text.length > 0 ? text.join('') : null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

function userMessages(blocks: ContentBlock[]): ChatMessage[] {
  // Tool results first: a chat API wants them right after the assistant's tool_calls.
  const results: ChatMessage[] = [];
  const text: string[] = [];
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      const content = toolResultText(block.content);
      results.push({
        role: 'tool',
        tool_call_id: block.tool_use_id,
        content: block.is_error ? `Error: ${content}` : content,
      });
    } else if (block.type === 'text') {
      text.push(block.text);
    } else {
      text.push(omitted(block.type));
    }
  }
  return text.length > 0 ? [...results, { role: 'user', content: text.join('\n') }] : results;
}

function stopReasonOf(finishReason: string | undefined, hasToolCalls: boolean): string {
  // Some servers (older Ollama) say 'stop' even when the answer is tool calls; the agent
  // loop only runs tools on 'tool_use', so tool calls decide.
  if (hasToolCalls && (finishReason === undefined || finishReason === 'stop')) return 'tool_use';
  switch (finishReason) {
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'stop':
    case undefined:
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    default:
      return finishReason;
  }
}

/** The data of each server-sent event (lines joined per the SSE spec). */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const line = function* (text: string): Generator<string> {
    const field = text.split(':', 1)[0];
    if (text === '') {
      if (data.length > 0) yield data.join('\n');
      data = [];
    } else if (field === 'data') {
      data.push(text.slice(5).replace(/^ /, ''));
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        yield* line(buffer.slice(0, end).replace(/\r$/, ''));
        buffer = buffer.slice(end + 1);
      }
      if (done) {
        if (buffer) yield* line(buffer.replace(/\r$/, ''));
        yield* line('');
        return;
      }
    }
  } finally {
    // Stopping early ([DONE], an error) lets go of the connection.
    reader.cancel().catch(() => undefined);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The message of an error body: {error:{message}}, {error:"…"}, {message}, {detail}, or text. */
function errorMessageOf(text: string): string {
  const body = parseJson(text) as Record<string, unknown> | null | undefined;
  const error = body?.error;
  const candidates = [
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error,
    body?.message,
    body?.detail,
  ];
  const found = candidates.find((value) => typeof value === 'string' && value.trim() !== '');
  return (found as string | undefined) ?? (text.trim() || 'no error message');
}

function networkFailure(error: unknown): { code: string; detail: string } {
  // undici reports "fetch failed" with the socket error (ECONNREFUSED, ECONNRESET) as cause.
  const cause = (error as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : error instanceof Error ? error : undefined;
  const code = (inner as { code?: unknown } | undefined)?.code;
  return {
    code: typeof code === 'string' ? code : 'network error',
    detail: inner?.message ?? String(error),
  };
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds, at most 30 s. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_WAIT_MS);
}

/** Waits, unless the signal aborts first: then rejects at once with its reason. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
