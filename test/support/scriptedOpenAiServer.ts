// A scripted server on loopback speaking the OpenAI chat completions API the way local model
// servers do (Ollama, llama.cpp, vLLM): SSE chunks when the request asks to stream, usage in
// the last chunk, then `data: [DONE]`. Each request takes the next step of the script — an
// answer, or an HTTP failure — and is recorded (headers and body) for assertions.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './scriptedModelServer.js';

export type { RecordedRequest };

export interface ScriptedToolCall {
  name: string;
  input?: unknown;
  /** Sent as the arguments string as it is, instead of JSON.stringify(input). */
  rawArguments?: string;
}

export interface ScriptedOpenAiReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to 'tool_calls' when there are tool calls, else 'stop'. */
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Answer one plain JSON chat.completion even when asked to stream. */
  ignoreStream?: boolean;
  /** Stream the text, then keep the connection open without finishing (abort tests). */
  hang?: boolean;
}

export interface ScriptedOpenAiFailure {
  status: number;
  /** Sent as the Retry-After header, in seconds. */
  retryAfter?: number;
  /** The error body's error.message. */
  message?: string;
}

export type ScriptedOpenAiStep = ScriptedOpenAiReply | ScriptedOpenAiFailure;

export interface ScriptedOpenAiServer {
  /** http://127.0.0.1:<port>/v1 */
  baseURL: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

const randomId = (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2)}`;
const pieces = (text: string) => text.match(/.{1,6}/gs) ?? [];

interface PlannedCall {
  id: string;
  name: string;
  arguments: string;
}

function plan(reply: ScriptedOpenAiReply) {
  const calls: PlannedCall[] = (reply.toolCalls ?? []).map((call) => ({
    id: randomId('call'),
    name: call.name,
    arguments: call.rawArguments ?? JSON.stringify(call.input ?? {}),
  }));
  return {
    calls,
    finishReason: reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
    usage: reply.usage ?? { prompt_tokens: 12, completion_tokens: 7 },
  };
}

function completion(reply: ScriptedOpenAiReply, model: string) {
  const { calls, finishReason, usage } = plan(reply);
  return {
    id: randomId('chatcmpl'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? null,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((call) => ({
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        finish_reason: finishReason,
      },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

function stream(
  response: http.ServerResponse,
  reply: ScriptedOpenAiReply,
  model: string,
  includeUsage: boolean,
): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = randomId('chatcmpl');
  const created = Math.floor(Date.now() / 1000);
  // Each event goes out in two writes, so a client must join lines across reads.
  const send = (data: unknown) => {
    const event = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
    const half = Math.floor(event.length / 2);
    response.write(event.slice(0, half));
    response.write(event.slice(half));
  };
  const chunk = (delta: unknown, finishReason: string | null = null) =>
    send({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    });
  const { calls, finishReason, usage } = plan(reply);
  chunk({ role: 'assistant', content: '' });
  for (const piece of pieces(reply.text ?? '')) chunk({ content: piece });
  if (reply.hang) return;
  calls.forEach((call, index) => {
    chunk({
      tool_calls: [
        { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
      ],
    });
    for (const piece of pieces(call.arguments)) {
      chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  chunk({}, finishReason);
  if (includeUsage) {
    send({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }
  send('[DONE]');
  response.end();
}

function fail(response: http.ServerResponse, failure: ScriptedOpenAiFailure): void {
  response.writeHead(failure.status, {
    'content-type': 'application/json',
    ...(failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {}),
  });
  response.end(
    JSON.stringify({
      error: {
        message: failure.message ?? `scripted failure ${failure.status}`,
        type: 'scripted_error',
        code: failure.status,
      },
    }),
  );
}

export async function startScriptedOpenAiServer(
  script: ScriptedOpenAiStep[],
): Promise<ScriptedOpenAiServer> {
  const requests: RecordedRequest[] = [];
  const pending = [...script];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
      });
      const step = pending.shift();
      if (!step) {
        fail(response, { status: 500, message: 'script exhausted' });
        return;
      }
      if ('status' in step) {
        fail(response, step);
        return;
      }
      const parsed = JSON.parse(body) as {
        model: string;
        stream?: boolean;
        stream_options?: { include_usage?: boolean };
      };
      if (parsed.stream && !step.ignoreStream) {
        stream(response, step, parsed.model, parsed.stream_options?.include_usage === true);
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(completion(step, parsed.model)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        // Hung streams (abort tests) would otherwise keep close() waiting.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
