// The Anthropic provider's failures, said so a user can act: the real SDK against a loopback
// server that answers with the API's error bodies.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../../src-main/agent/anthropicProvider.js';
import { createModelClient } from '../../../src-main/agent/modelClient.js';
import { ModelError } from '../../../src-main/agent/modelProvider.js';
import { Redactor } from '../../../src-main/secrets/redactor.js';

const KEY = 'sk-ant-api03-unit-test-key-0123456789';
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((r) => server.close(r))));
});

async function failingServer(
  status: number,
  type: string,
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      hits += 1;
      response.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
      response.end(JSON.stringify({ type: 'error', error: { type, message: `${type} (${KEY})` } }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

async function turnAgainst(url: string, maxRetries = 0) {
  const client = createModelClient({
    apiKey: KEY,
    baseURL: url,
    redactor: new Redactor(),
    maxRetries,
  });
  const provider = createAnthropicProvider(client, 'claude-sonnet-4-6');
  return provider
    .turn({
      system: 'test',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [],
      maxTokens: 10,
      signal: new AbortController().signal,
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

describe('Anthropic provider errors', () => {
  it('401: says to fix the key, without retrying', async () => {
    const server = await failingServer(401, 'authentication_error');
    const error = await turnAgainst(server.url, 2);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect((error as Error).message).toContain('omnipalm keys set llm_api_key');
    expect(server.hits()).toBe(1);
  });

  it('529 overloaded: retried with backoff, then said to be transient', async () => {
    const server = await failingServer(529, 'overloaded_error');
    const error = await turnAgainst(server.url, 1);
    expect(error).toMatchObject({ kind: 'transient', status: 529 });
    expect((error as Error).message).toMatch(/unavailable \(HTTP 529, retried with backoff\)/);
    expect(server.hits()).toBe(2);
    expect((error as Error).message).not.toContain(KEY);
  });

  it('400: the request itself was refused', async () => {
    const server = await failingServer(400, 'invalid_request_error');
    const error = await turnAgainst(server.url);
    expect(error).toMatchObject({ kind: 'request', status: 400 });
    // The server echoed the key in its error text: it is not passed on.
    expect((error as Error).message).toContain('invalid_request_error');
    expect((error as Error).message).not.toContain(KEY);
  });

  it('no server: a transient error naming llm.base_url', async () => {
    const server = await failingServer(500, 'api_error');
    const url = server.url;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const error = await turnAgainst(url);
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as Error).message).toContain('llm.base_url');
  });
});
