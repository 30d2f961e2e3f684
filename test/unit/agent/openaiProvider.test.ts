// The openai-compatible provider (Ollama, llama.cpp, vLLM) against a scripted loopback server:
// the conversation is translated both ways, whatever secret reached it leaves redacted, and
// failures become errors the user can act on.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ModelError,
  type MessageParam,
  type TurnRequest,
} from '../../../src-main/agent/modelProvider.js';
import {
  createOpenAiProvider,
  type OpenAiProviderOptions,
} from '../../../src-main/agent/openaiProvider.js';
import { Redactor } from '../../../src-main/secrets/redactor.js';
import {
  startScriptedOpenAiServer,
  type ScriptedOpenAiServer,
  type ScriptedOpenAiStep,
} from '../../support/scriptedOpenAiServer.js';
import { FAKE_CREDENTIALS, filler } from '../secrets/fakeSecrets.js';

const apiKey = 'sk-' + filler(40, 'kEy9LoCal');
const heldSecret = 'jira-' + filler(40, 'Zq7');

const servers: ScriptedOpenAiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(script: ScriptedOpenAiStep[]) {
  const server = await startScriptedOpenAiServer(script);
  servers.push(server);
  return server;
}

function redactor() {
  const redactor = new Redactor();
  redactor.registerSecret('jira_token', heldSecret);
  return redactor;
}

function provider(baseURL: string, options: Partial<OpenAiProviderOptions> = {}) {
  return createOpenAiProvider({
    baseURL,
    model: 'qwen3:8b',
    redactor: redactor(),
    retryBaseMs: 1,
    ...options,
  });
}

const tools: TurnRequest['tools'] = [
  {
    name: 'files_read',
    description: 'Read a text file',
    input_schema: { type: 'object', properties: { path: { type: 'string' } } },
  },
];

function request(messages: MessageParam[], extra: Partial<TurnRequest> = {}): TurnRequest {
  return {
    system: 'You are OmniPalm.',
    messages,
    tools,
    maxTokens: 256,
    signal: new AbortController().signal,
    ...extra,
  };
}

const bodyOf = (server: ScriptedOpenAiServer, index = -1) =>
  JSON.parse(server.requests.at(index)!.body) as Record<string, unknown>;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the turn to fail'),
    (error: unknown) => error,
  );
}

describe('openai-compatible provider', () => {
  it('streams plain text: the pieces shown join into the answer', async () => {
    const text = 'The largest file in ~/Downloads is movie.mkv (4.2 GB).';
    const server = await serve([{ text, usage: { prompt_tokens: 40, completion_tokens: 15 } }]);
    const pieces: string[] = [];
    const result = await provider(server.baseURL).turn(
      request([{ role: 'user', content: 'Which file is largest?' }], {
        onText: (piece) => pieces.push(piece),
      }),
    );
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(text);
    expect(result).toEqual({
      content: [{ type: 'text', text }],
      stopReason: 'end_turn',
      usage: { input_tokens: 40, output_tokens: 15 },
    });
    const sent = server.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/chat/completions');
    expect(bodyOf(server)).toEqual({
      model: 'qwen3:8b',
      max_tokens: 256,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are OmniPalm.' },
        { role: 'user', content: 'Which file is largest?' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'files_read',
            description: 'Read a text file',
            parameters: { type: 'object', properties: { path: { type: 'string' } } },
          },
        },
      ],
    });
  });

  it('round-trips a tool call: tool_use out, the call and its result sent back', async () => {
    const server = await serve([
      { text: 'Reading it.', toolCalls: [{ name: 'files_read', input: { path: '~/notes.txt' } }] },
      { text: 'Your notes say: buy milk.' },
    ]);
    const model = provider(server.baseURL);
    const messages: MessageParam[] = [{ role: 'user', content: 'What do my notes say?' }];
    const first = await model.turn(request(messages));
    expect(first.stopReason).toBe('tool_use');
    expect(first.content).toEqual([
      { type: 'text', text: 'Reading it.' },
      {
        type: 'tool_use',
        id: expect.any(String),
        name: 'files_read',
        input: { path: '~/notes.txt' },
      },
    ]);
    const use = first.content[1] as { id: string };

    messages.push({ role: 'assistant', content: first.content });
    messages.push({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: use.id,
          content: [
            { type: 'text', text: 'buy' },
            { type: 'text', text: 'milk' },
          ],
        },
        { type: 'tool_result', tool_use_id: 'call_other', content: 'no such file', is_error: true },
        { type: 'text', text: 'Be brief.' },
      ],
    });
    const second = await model.turn(request(messages));
    expect(second.stopReason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: 'Your notes say: buy milk.' }]);
    expect(bodyOf(server).messages).toEqual([
      { role: 'system', content: 'You are OmniPalm.' },
      { role: 'user', content: 'What do my notes say?' },
      {
        role: 'assistant',
        content: 'Reading it.',
        tool_calls: [
          {
            id: use.id,
            type: 'function',
            function: { name: 'files_read', arguments: JSON.stringify({ path: '~/notes.txt' }) },
          },
        ],
      },
      { role: 'tool', tool_call_id: use.id, content: 'buy\nmilk' },
      { role: 'tool', tool_call_id: 'call_other', content: 'Error: no such file' },
      { role: 'user', content: 'Be brief.' },
    ]);
  });

  it('sends an assistant turn that is only tool calls with content null', async () => {
    const server = await serve([
      { toolCalls: [{ name: 'files_read', input: {} }] },
      { text: 'ok' },
    ]);
    const model = provider(server.baseURL);
    const first = await model.turn(request([{ role: 'user', content: 'go' }]));
    expect(first.content).toEqual([
      { type: 'tool_use', id: expect.any(String), name: 'files_read', input: {} },
    ]);
    await model.turn(
      request([
        { role: 'user', content: 'go' },
        { role: 'assistant', content: first.content },
      ]),
    );
    const assistant = (bodyOf(server).messages as unknown[])[2];
    expect(assistant).toMatchObject({ role: 'assistant', content: null });
  });

  it('sends no Authorization header without a key, and a Bearer key when given one', async () => {
    const server = await serve([{ text: 'a' }, { text: 'b' }]);
    await provider(server.baseURL).turn(request([{ role: 'user', content: 'hi' }]));
    await provider(`${server.baseURL}/`, { apiKey }).turn(
      request([{ role: 'user', content: 'hi' }]),
    );
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(server.requests[1]!.headers.authorization).toBe(`Bearer ${apiKey}`);
    // A trailing slash on the base URL changes nothing.
    expect(server.requests[1]!.url).toBe('/v1/chat/completions');
  });

  it('redacts the request body: a secret in a tool result never reaches the server', async () => {
    const server = await serve([{ text: 'Done.' }]);
    const leaky = [
      `cat .env printed:\nJIRA_TOKEN=${heldSecret}`,
      ...FAKE_CREDENTIALS.map((credential) => `${credential.label}: ${credential.value}`),
    ].join('\n');
    await provider(server.baseURL).turn(
      request(
        [
          { role: 'user', content: 'Check my .env' },
          {
            role: 'assistant',
            content: [
              {
                type: 'tool_use',
                id: 'call_1',
                name: 'shell_exec',
                input: { command: `echo ${heldSecret}` },
              },
            ],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'call_1', content: leaky }],
          },
        ],
        { system: `Context: ${heldSecret}` },
      ),
    );
    const body = server.requests[0]!.body;
    expect(body).not.toContain(heldSecret);
    for (const credential of FAKE_CREDENTIALS) {
      expect(body, credential.label).not.toContain(credential.value);
    }
    expect(body).toContain('[REDACTED:jira_token]');
    const messages = bodyOf(server).messages as { role: string; content: string }[];
    expect(messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
    expect(messages.at(-1)!.content).toContain('cat .env printed:');
  });

  it('retries a 503 and then answers', async () => {
    const server = await serve([
      { status: 503, retryAfter: 0 },
      { status: 503 },
      { text: 'Up now.' },
    ]);
    const result = await provider(server.baseURL, { maxRetries: 2 }).turn(
      request([{ role: 'user', content: 'hi' }]),
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Up now.' }]);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after the retries with a transient error that names the server', async () => {
    const server = await serve([
      { status: 503, message: 'loading model' },
      { status: 503, message: 'loading model' },
      { status: 503, message: 'loading model' },
    ]);
    const error = await rejection(
      provider(server.baseURL, { maxRetries: 2 }).turn(request([{ role: 'user', content: 'hi' }])),
    );
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: 'transient', status: 503 });
    const origin = new URL(server.baseURL).origin;
    expect((error as ModelError).message).toBe(
      `the model server at ${origin} is unavailable (HTTP 503) after 3 attempts: loading model; is it running?`,
    );
    expect(server.requests).toHaveLength(3);
  });

  it('reports a server that is not running as transient, after retrying', async () => {
    const stopped = await startScriptedOpenAiServer([]);
    await stopped.close();
    const error = await rejection(
      provider(stopped.baseURL, { maxRetries: 1 }).turn(request([{ role: 'user', content: 'hi' }])),
    );
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as Error).message).toMatch(
      /unavailable \(ECONNREFUSED\) after 2 attempts: .*is it running\?$/,
    );
  });

  it('turns a 401 into an auth error that says how to set the key, without the key', async () => {
    const server = await serve([{ status: 401, message: `invalid api key ${apiKey}` }]);
    const error = await rejection(
      provider(server.baseURL, { apiKey }).turn(request([{ role: 'user', content: 'hi' }])),
    );
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect((error as Error).message).toContain('omnipalm keys set llm_api_key');
    expect((error as Error).message).toContain('refused the key (HTTP 401)');
    expect((error as Error).message).not.toContain(apiKey);
    expect(server.requests).toHaveLength(1);
  });

  it('passes the server message of another 4xx on as a request error', async () => {
    const server = await serve([
      { status: 404, message: 'model "qwen9" not found, try pulling it first' },
    ]);
    const error = await rejection(
      provider(server.baseURL).turn(request([{ role: 'user', content: 'hi' }])),
    );
    expect(error).toMatchObject({ kind: 'request', status: 404 });
    expect((error as Error).message).toContain('model "qwen9" not found, try pulling it first');
    expect(server.requests).toHaveLength(1);
  });

  it('stops at once when aborted mid-stream, with the abort reason', async () => {
    const server = await serve([{ text: 'Thinking about it at length…', hang: true }]);
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    const turn = provider(server.baseURL).turn(
      request([{ role: 'user', content: 'hi' }], {
        signal: controller.signal,
        onText: () => controller.abort(reason),
      }),
    );
    await expect(turn).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('stops a backoff wait at once when aborted, without retrying', async () => {
    const server = await serve([{ status: 503, retryAfter: 30 }, { text: 'never sent' }]);
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    let answered!: () => void;
    const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
    const observed: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      answered();
      return response;
    };
    const turn = provider(server.baseURL, { fetch: observed }).turn(
      request([{ role: 'user', content: 'hi' }], { signal: controller.signal }),
    );
    await firstAnswer;
    controller.abort(reason);
    await expect(turn).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('ends a turn that outlasts timeoutMs with a transient error', async () => {
    const server = await serve([{ text: 'slow', hang: true }]);
    const error = await rejection(
      provider(server.baseURL, { timeoutMs: 50 }).turn(request([{ role: 'user', content: 'hi' }])),
    );
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as Error).message).toContain('did not finish answering within 50 ms');
  });

  it('accepts a server that ignores stream and answers plain JSON', async () => {
    const server = await serve([
      {
        text: 'Let me look.',
        toolCalls: [{ name: 'files_read', input: { path: '/tmp/a' } }],
        ignoreStream: true,
        usage: { prompt_tokens: 9, completion_tokens: 3 },
      },
    ]);
    const shown: string[] = [];
    const result = await provider(server.baseURL).turn(
      request([{ role: 'user', content: 'hi' }], { onText: (piece) => shown.push(piece) }),
    );
    expect(shown.join('')).toBe('Let me look.');
    expect(result).toEqual({
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: expect.any(String), name: 'files_read', input: { path: '/tmp/a' } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 9, output_tokens: 3 },
    });
  });

  it('refuses tool arguments that are not JSON with a request error', async () => {
    const server = await serve([
      { toolCalls: [{ name: 'files_read', rawArguments: '{"path": ' }] },
    ]);
    const error = await rejection(
      provider(server.baseURL).turn(request([{ role: 'user', content: 'hi' }])),
    );
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: 'request' });
    expect((error as Error).message).toMatch(
      /^the model returned tool arguments that are not JSON: files_read/,
    );
  });

  it('maps finish_reason length to max_tokens and counts missing usage as zero', async () => {
    const server = await serve([{ text: 'cut', finishReason: 'length', ignoreStream: true }]);
    const noUsage: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = (await response.json()) as Record<string, unknown>;
      delete body.usage;
      return new Response(JSON.stringify(body), {
        headers: { 'content-type': 'application/json' },
      });
    };
    const result = await provider(server.baseURL, { fetch: noUsage }).turn(
      request([{ role: 'user', content: 'hi' }]),
    );
    expect(result.stopReason).toBe('max_tokens');
    expect(result.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });
});
