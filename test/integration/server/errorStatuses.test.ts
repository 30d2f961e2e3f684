// Whose fault is it? The real core, handlers and server on loopback, driven the way the web UI
// and curl drive them: every request the user's setup keeps from being served answers a 4xx
// or 503 whose message names the fix, and only a bug answers 500 — without its message or
// stack, which go to the audit log instead.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContractHandlers } from '../../../src-preload/contract';
import { createHttpBridge, type WebSocketFactory } from '../../../src-renderer/bridge/httpBridge';
import { AgentCore } from '../../../src-main/agent/core';
import { ERROR_KINDS } from '../../../src-main/server/apiErrors';
import { generateApiToken } from '../../../src-main/server/apiToken';
import { openApiDocument } from '../../../src-main/server/openapi';
import {
  coreEventHooks,
  createCoreHandlers,
  EventHub,
  type CoreHandlers,
} from '../../../src-main/server/coreHandlers';
import { serverAuditHooks } from '../../../src-main/server/headless';
import { startHeadlessServer } from '../../../src-main/server/httpServer';
import { callApi } from '../../support/headlessClient';
import { startScriptedModelServer } from '../../support/scriptedModelServer';
import { startHangingModelServer } from '../agent/scenarioHelpers';
import { makeCoreHome } from '../../support/coreHome.js';

const KEY = 'sk-ant-test-0123456789abcdefghij';

interface Running {
  port: number;
  token: string;
  home: string;
  work: string;
  front: CoreHandlers;
  call(channel: string, payload?: unknown): Promise<{ status: number; body: ErrorBody }>;
  auditLog(): string;
}

interface ErrorBody {
  error: string;
  kind: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What `omnipalm start --headless` composes, with the env and handlers a test chooses. */
async function startServer(
  options: {
    env?: (modelBaseURL: string) => NodeJS.ProcessEnv;
    maxConcurrentTasks?: number;
    handlers?: (real: ContractHandlers) => ContractHandlers;
  } = {},
): Promise<Running> {
  const { root, home, work } = makeCoreHome('omnipalm-errors-', {
    security: { sandbox: 'off' },
    integrations: { terminal: { enabled: false } },
  });
  const model = await startScriptedModelServer([]);
  cleanups.push(() => model.close());
  const env = options.env?.(model.baseURL) ?? {
    OMNIPALM_LLM_API_KEY: KEY,
    OMNIPALM_LLM_BASE_URL: model.baseURL,
  };
  const hub = new EventHub();
  const core = await AgentCore.open({
    home,
    env: { HOME: root, ...env },
    homeDir: root,
    ...coreEventHooks(hub),
  });
  cleanups.push(() => core.close());
  const front = createCoreHandlers(core, {
    mode: 'headless',
    hub,
    version: '1.2.3',
    ...(options.maxConcurrentTasks ? { maxConcurrentTasks: options.maxConcurrentTasks } : {}),
  });
  cleanups.push(() => front.close());
  const token = generateApiToken();
  const server = await startHeadlessServer({
    handlers: options.handlers?.(front.handlers) ?? front.handlers,
    subscribe: (emit) => hub.subscribe(emit),
    token,
    ...serverAuditHooks(core),
  });
  cleanups.push(() => server.close());
  return {
    port: server.port,
    token,
    home,
    work,
    front,
    call: async (channel, payload = {}) => {
      const answer = await callApi(server.port, token, channel, payload);
      return { status: answer.status, body: JSON.parse(answer.body) as ErrorBody };
    },
    auditLog: () => fs.readFileSync(path.join(home, 'logs', 'audit.log'), 'utf8'),
  };
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const document = openApiDocument('1.2.3') as {
  paths: Record<string, { post?: { responses: Record<string, OpenApiResponse> } }>;
};
interface OpenApiResponse {
  content: { 'application/json': { schema: { properties: { kind: { enum: string[] } } } } };
}

/**
 * The error answer, checked against the one table (status and kind agree, never a 500) and
 * against the OpenAPI document, which must list that status and kind for the channel.
 */
function expectSetupError(
  channel: string,
  answer: { status: number; body: ErrorBody },
  kind: keyof typeof ERROR_KINDS,
  status: number,
  fix: RegExp | string,
): void {
  expect(answer.body.kind, answer.body.error).toBe(kind);
  expect(answer.status).toBe(status);
  expect(ERROR_KINDS[kind].status).toBe(status);
  expect(answer.body.error).toMatch(fix);
  const listed = document.paths[`/api/${channel}`]?.post?.responses[String(status)];
  expect(listed?.content['application/json'].schema.properties.kind.enum).toContain(kind);
}

describe('task.start refused by the user setup', () => {
  it('no model key: 503 naming omnipalm keys set llm_api_key', async () => {
    const server = await startServer({ env: (baseURL) => ({ OMNIPALM_LLM_BASE_URL: baseURL }) });
    // The Anthropic provider, which needs a key (the openai-compatible one may run without).
    const answer = await server.call('task.start', { prompt: 'hi' });
    expectSetupError(
      'task.start',
      answer,
      'missing_model_key',
      503,
      'omnipalm keys set llm_api_key',
    );
  });

  it('model base URL unreachable: 503 naming llm.base_url, before the task starts', async () => {
    const port = await closedPort();
    const server = await startServer({
      env: () => ({ OMNIPALM_LLM_API_KEY: KEY, OMNIPALM_LLM_BASE_URL: `http://127.0.0.1:${port}` }),
    });
    const answer = await server.call('task.start', { prompt: 'hi' });
    expectSetupError('task.start', answer, 'model_unreachable', 503, /ECONNREFUSED.*llm\.base_url/);
    expect(answer.body.error).toContain(`http://127.0.0.1:${port}`);
    expect((await server.call('task.running')).body).toEqual({ tasks: [] });
  });

  it('a model base URL that is not http(s): 503 naming the variable', async () => {
    const server = await startServer({
      env: () => ({ OMNIPALM_LLM_API_KEY: KEY, OMNIPALM_LLM_BASE_URL: 'ftp://models' }),
    });
    const answer = await server.call('task.start', { prompt: 'hi' });
    expectSetupError(
      'task.start',
      answer,
      'model_endpoint_invalid',
      503,
      /OMNIPALM_LLM_BASE_URL must be/,
    );
  });

  it('agent paused: 409 saying how to resume', async () => {
    const server = await startServer();
    server.front.setPaused(true);
    const answer = await server.call('task.start', { prompt: 'hi' });
    expectSetupError('task.start', answer, 'agent_paused', 409, /untick "Pause agent"/);
  });

  it('invalid config.yaml: 503 from task.start and config.get, naming the fix', async () => {
    const server = await startServer();
    fs.writeFileSync(path.join(server.home, 'config.yaml'), 'security:\n  read_only: maybe\n');
    const started = await server.call('task.start', { prompt: 'hi' });
    expectSetupError(
      'task.start',
      started,
      'invalid_config',
      503,
      /read_only.*omnipalm config validate/s,
    );
    const read = await server.call('config.get');
    expectSetupError(
      'config.get',
      read,
      'invalid_config',
      503,
      /read_only.*omnipalm config validate/s,
    );
  });

  it('a folder outside allowed_paths is 403, a missing folder 422', async () => {
    const server = await startServer();
    const outside = await server.call('task.start', { prompt: 'hi', cwd: '/' });
    expectSetupError('task.start', outside, 'folder_not_allowed', 403, /omnipalm config set/);
    const missing = await server.call('task.start', {
      prompt: 'hi',
      cwd: path.join(server.work, 'nope'),
    });
    expectSetupError('task.start', missing, 'not_a_folder', 422, /give an existing folder/);
  });

  it('too many tasks at once: 429 saying to stop or wait for one', async () => {
    const hanging = await startHangingModelServer();
    cleanups.push(() => hanging.close());
    const server = await startServer({
      env: () => ({ OMNIPALM_LLM_API_KEY: KEY, OMNIPALM_LLM_BASE_URL: hanging.baseURL }),
      maxConcurrentTasks: 1,
    });
    const first = await server.call('task.start', { prompt: 'wait for the model' });
    expect(first.status).toBe(200);
    const second = await server.call('task.start', { prompt: 'another' });
    expectSetupError('task.start', second, 'too_many_tasks', 429, /stop one \(task\.stop\)/);
    await server.call('task.stop', {
      taskId: (first.body as unknown as { taskId: string }).taskId,
    });
    await server.front.idle();
  });
});

describe('other channels', () => {
  it('a terminal session that is not open: 404', async () => {
    const server = await startServer();
    const answer = await server.call('terminal.resize', {
      sessionId: '6f1c0b1e-3c1a-4d2b-9a55-0d7b2e1f4a10',
      cols: 80,
      rows: 24,
    });
    expectSetupError(
      'terminal.resize',
      answer,
      'terminal_not_found',
      404,
      /terminal\.list names the open ones/,
    );
  });

  it('a contract breach stays 400 with the field named', async () => {
    const server = await startServer();
    const answer = await server.call('task.start', { prompt: '   ' });
    expectSetupError('task.start', answer, 'bad_request', 400, /say what to do/);
  });

  it('a genuine bug is a 500 with no message and no stack; the details reach the audit log', async () => {
    const server = await startServer({
      handlers: (real) => ({
        ...real,
        'usage.summary': () => {
          // A real-looking bug: a property read off undefined, deep in a path of ours.
          const settings = undefined as unknown as { hours: number };
          return { hours: settings.hours } as never;
        },
      }),
    });
    const answer = await callApi(server.port, server.token, 'usage.summary', {});
    expect(answer.status).toBe(500);
    const body = JSON.parse(answer.body) as ErrorBody;
    expect(body).toEqual({
      kind: 'internal',
      error:
        'usage.summary failed because of a bug in OmniPalm, not your setup; the details are in the audit log ([error] api.internal_error) — please report it',
    });
    expect(answer.body).not.toMatch(/Cannot read|hours|errorStatuses|\bat /);
    expect(server.auditLog()).toMatch(
      /\[error\] api\.internal_error .*usage\.summary failed: Cannot read properties of undefined/,
    );
  });

  it("the renderer's HTTP bridge shows the message and the status", async () => {
    const server = await startServer({ env: (baseURL) => ({ OMNIPALM_LLM_BASE_URL: baseURL }) });
    const bridge = createHttpBridge({
      token: server.token,
      eventsUrl: `ws://127.0.0.1:${server.port}/api/events`,
      fetch: (input, init) => fetch(`http://127.0.0.1:${server.port}${String(input)}`, init),
      WebSocket: class {} as unknown as WebSocketFactory,
    });
    cleanups.push(async () => bridge.close());
    await expect(bridge.api.start({ prompt: 'hi' })).rejects.toMatchObject({
      name: 'BridgeCallError',
      status: 503,
      message: expect.stringContaining('omnipalm keys set llm_api_key'),
    });
  });
});
