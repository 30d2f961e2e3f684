// The one stand-in in the suite: a scripted server on loopback speaking the Anthropic
// Messages API (JSON, and SSE when the request asks to stream), so the real SDK runs end to
// end. It records every request (headers and body) for assertions.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedToolUse {
  name: string;
  input: unknown;
}

export interface ScriptedReply {
  text: string;
  /** tool_use blocks after the text; the stop reason then defaults to 'tool_use'. */
  toolUses?: ScriptedToolUse[];
  stopReason?: string;
  usage?: { input_tokens: number; output_tokens: number };
  /** Milliseconds the server waits before answering (a model that is still thinking). */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ScriptedModelServer {
  baseURL: string;
  requests: RecordedRequest[];
  /** Resolves once `count` requests have arrived (the model is "thinking" about the last). */
  waitForRequests: (count: number) => Promise<void>;
  close: () => Promise<void>;
}

const randomId = (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2)}`;

function message(reply: ScriptedReply, model: string) {
  const toolUses = (reply.toolUses ?? []).map((use) => ({
    type: 'tool_use' as const,
    id: randomId('toolu'),
    name: use.name,
    input: use.input,
  }));
  return {
    id: randomId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text' as const, text: reply.text }, ...toolUses],
    stop_reason: reply.stopReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: reply.usage ?? { input_tokens: 10, output_tokens: 5 },
  };
}

function sse(response: http.ServerResponse, reply: ScriptedReply, model: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: string, data: unknown) =>
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const full = message(reply, model);
  send('message_start', {
    type: 'message_start',
    message: {
      ...full,
      content: [],
      stop_reason: null,
      usage: { input_tokens: full.usage.input_tokens, output_tokens: 0 },
    },
  });
  send('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  });
  for (const piece of reply.text.match(/.{1,8}/gs) ?? []) {
    send('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: piece },
    });
  }
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  full.content.forEach((block, index) => {
    if (block.type !== 'tool_use') return;
    send('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    });
    for (const piece of JSON.stringify(block.input).match(/.{1,8}/gs) ?? []) {
      send('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: piece },
      });
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: full.stop_reason, stop_sequence: null },
    usage: { output_tokens: full.usage.output_tokens },
  });
  send('message_stop', { type: 'message_stop' });
  response.end();
}

export async function startScriptedModelServer(
  script: ScriptedReply[],
): Promise<ScriptedModelServer> {
  const requests: RecordedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
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
      for (const waiter of waiters.filter((entry) => requests.length >= entry.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const reply = pending.shift();
      if (!reply) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'api_error', message: 'script exhausted' },
          }),
        );
        return;
      }
      const parsed = JSON.parse(body) as { model: string; stream?: boolean };
      const answer = () => {
        if (parsed.stream) {
          sse(response, reply, parsed.model);
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(message(reply, parsed.model)));
        }
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
