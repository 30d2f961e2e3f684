// The headless server's front door, attacked the way a web page, a DNS-rebinding site or a
// local process would: every refusal is checked for its status AND that no handler ran.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiToken } from '../../../src-main/server/apiToken';
import {
  startHeadlessServer,
  type AuthFailure,
  type HeadlessServer,
} from '../../../src-main/server/httpServer';
import { connectEvents, makeStubCore, rawRequest } from '../../support/headlessClient';
import { makeTempFolder } from '../../support/tempFolders';

const token = generateApiToken();
const core = makeStubCore();
const failures: AuthFailure[] = [];
const internalErrors: { where: string; message: string }[] = [];
let server: HeadlessServer;
let port: number;
let staticDir: string;
let outside: string;

beforeAll(async () => {
  const folder = makeTempFolder();
  staticDir = path.join(folder, 'renderer');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>OmniPalm</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  outside = path.join(folder, 'api-token');
  fs.writeFileSync(outside, 'SECRET-OUTSIDE');
  fs.symlinkSync(outside, path.join(staticDir, 'assets', 'leak.txt'));
  server = await startHeadlessServer({
    handlers: core.handlers,
    subscribe: core.subscribe,
    token,
    staticDir,
    onAuthFailure: (failure) => failures.push(failure),
    onInternalError: (where, error) =>
      internalErrors.push({ where, message: (error as Error).message }),
    // Above the refusals below: this file tests each refusal, the limiter has its own test.
    authFailureLimit: { max: 1000, windowMs: 60_000 },
    openApi: () => ({ openapi: '3.1.0' }),
  });
  port = server.port;
});
afterAll(async () => server.close());
beforeEach(() => {
  core.calls.length = 0;
  failures.length = 0;
});

const goodHeaders = (): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
  'Content-Type': 'application/json',
});
const getStatus = (headers: Record<string, string>, pathname = '/api/app.getStatus') =>
  rawRequest({ port, path: pathname, headers, body: '{}' });

function expectRefused(
  status: number,
  actual: { status: number; headers: Record<string, unknown> },
): void {
  expect(actual.status).toBe(status);
  expect(core.calls).toEqual([]);
  expect(Object.keys(actual.headers).filter((name) => name.startsWith('access-control-'))).toEqual(
    [],
  );
}

describe('calls', () => {
  it('a loopback Host with the token succeeds', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `127.1.2.3:${port}`,
    ]) {
      const response = await getStatus({ ...goodHeaders(), Host: host });
      expect(response.status, host).toBe(200);
      expect(JSON.parse(response.body)).toEqual({
        version: '9.9.9',
        mode: 'headless',
        platform: process.platform,
      });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(core.calls).toEqual([
      'app.getStatus',
      'app.getStatus',
      'app.getStatus',
      'app.getStatus',
    ]);
  });

  it('listens on [::1] too when the machine has IPv6, with Host [::1]', async () => {
    if (!server.urls.some((url) => url.includes('[::1]'))) {
      console.warn('no IPv6 loopback on this machine: [::1] not tested');
      return;
    }
    const response = await rawRequest({
      port,
      address: '::1',
      path: '/api/app.getStatus',
      headers: { ...goodHeaders(), Host: `[::1]:${port}` },
      body: '{}',
    });
    expect(response.status).toBe(200);
  });

  it('accepts the Bearer scheme in any case (RFC 9110)', async () => {
    const response = await getStatus({ ...goodHeaders(), Authorization: `bearer ${token}` });
    expect(response.status).toBe(200);
  });

  it('refuses Host: evil.example (DNS rebinding)', async () => {
    expectRefused(421, await getStatus({ ...goodHeaders(), Host: `evil.example:${port}` }));
    expectRefused(421, await getStatus({ ...goodHeaders(), Host: 'evil.example' }));
  });

  it('refuses Host: localhost6', async () => {
    expectRefused(421, await getStatus({ ...goodHeaders(), Host: `localhost6:${port}` }));
  });

  it('refuses a loopback Host with another port', async () => {
    expectRefused(421, await getStatus({ ...goodHeaders(), Host: `127.0.0.1:${port + 1}` }));
  });

  it('checks Host before auth: a rebinding page learns nothing about the token', async () => {
    const response = await getStatus({ 'Content-Type': 'application/json', Host: 'evil.example' });
    expectRefused(421, response);
    expect(failures).toEqual([]);
  });

  it('refuses a foreign Origin over HTTP', async () => {
    expectRefused(403, await getStatus({ ...goodHeaders(), Origin: 'http://evil.example' }));
    expectRefused(403, await getStatus({ ...goodHeaders(), Origin: `http://localhost:${port}` }));
    expectRefused(403, await getStatus({ ...goodHeaders(), Origin: 'null' }));
  });

  it('accepts our own Origin', async () => {
    const response = await getStatus({ ...goodHeaders(), Origin: `http://127.0.0.1:${port}` });
    expect(response.status).toBe(200);
  });

  it('refuses a cross-site text/plain POST (an HTML form or a simple fetch)', async () => {
    const crossSite = await getStatus({
      'Content-Type': 'text/plain',
      Origin: 'http://evil.example',
    });
    expectRefused(403, crossSite);
    // Even with the token (it cannot have it, but the JSON rule stands on its own).
    const plain = await getStatus({ ...goodHeaders(), 'Content-Type': 'text/plain;charset=UTF-8' });
    expectRefused(415, plain);
    const form = await getStatus({
      ...goodHeaders(),
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expectRefused(415, form);
  });

  it('refuses a missing token, with WWW-Authenticate, and reports it', async () => {
    const response = await getStatus({ 'Content-Type': 'application/json' });
    expectRefused(401, response);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(failures).toEqual([
      { remoteAddress: '127.0.0.1', reason: 'missing token', limitReached: false, suppressed: 0 },
    ]);
  });

  it('refuses a wrong token', async () => {
    expectRefused(
      401,
      await getStatus({ ...goodHeaders(), Authorization: `Bearer ${generateApiToken()}` }),
    );
    expectRefused(401, await getStatus({ ...goodHeaders(), Authorization: `Bearer ${token}x` }));
    expectRefused(401, await getStatus({ ...goodHeaders(), Authorization: `Basic ${token}` }));
    expect(failures.map((failure) => failure.reason)).toEqual([
      'wrong token',
      'wrong token',
      'not a Bearer token',
    ]);
  });

  it('refuses the token with one letter in the other case', async () => {
    const index = [...token].findIndex((character) => /[a-zA-Z]/.test(character));
    const character = token.charAt(index);
    const flipped =
      token.slice(0, index) +
      (character === character.toLowerCase() ? character.toUpperCase() : character.toLowerCase()) +
      token.slice(index + 1);
    expect(flipped).not.toBe(token);
    expectRefused(401, await getStatus({ ...goodHeaders(), Authorization: `Bearer ${flipped}` }));
  });

  it('refuses the token in the query string, even alongside a good header', async () => {
    for (const query of [`?token=${token}`, `?access_token=${token}`, `?t=${token}`]) {
      const response = await getStatus(goodHeaders(), `/api/app.getStatus${query}`);
      expectRefused(400, response);
      expect(JSON.parse(response.body)).toEqual({
        error: 'the token goes in the Authorization header, never in the URL',
        kind: 'bad_request',
      });
    }
    expect(failures.map((failure) => failure.reason)).toEqual(Array(3).fill('token in the URL'));
  });

  it('answers unknown channels 404, other methods 405, OPTIONS 405 with no CORS headers', async () => {
    expectRefused(404, await getStatus(goodHeaders(), '/api/app.nope'));
    expectRefused(404, await getStatus(goodHeaders(), '/api/__proto__'));
    const get = await rawRequest({
      port,
      method: 'GET',
      path: '/api/app.getStatus',
      headers: goodHeaders(),
    });
    expectRefused(405, get);
    const preflight = await rawRequest({
      port,
      method: 'OPTIONS',
      path: '/api/app.getStatus',
      headers: { Origin: `http://127.0.0.1:${port}`, 'Access-Control-Request-Method': 'POST' },
    });
    expectRefused(405, preflight);
  });

  it('parses every payload with the contract: a bad request never reaches the handler', async () => {
    const extra = await getStatus(goodHeaders()).then(() =>
      rawRequest({
        port,
        path: '/api/app.getStatus',
        headers: goodHeaders(),
        body: '{"injected":1}',
      }),
    );
    core.calls.length = 0;
    expect(extra.status).toBe(400);
    const resize = await rawRequest({
      port,
      path: '/api/terminal.resize',
      headers: goodHeaders(),
      body: JSON.stringify({ sessionId: 'not-a-uuid', cols: 5, rows: 2 }),
    });
    expectRefused(400, resize);
    expect(JSON.parse(resize.body).error).toContain('terminal.resize: request refused');
    expectRefused(
      400,
      await rawRequest({ port, path: '/api/app.getStatus', headers: goodHeaders(), body: '{' }),
    );
    const huge = await rawRequest({
      port,
      path: '/api/app.getStatus',
      headers: goodHeaders(),
      body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }),
    });
    expectRefused(413, huge);
  });

  it('answers a bug with a bare 500: no message, no stack; the details go to the log', async () => {
    const response = await rawRequest({
      port,
      path: '/api/terminal.resize',
      headers: goodHeaders(),
      body: JSON.stringify({
        sessionId: '6f1c0b1e-3c1a-4d2b-9a55-0d7b2e1f4a10',
        cols: 80,
        rows: 24,
      }),
    });
    expect(response.status).toBe(500);
    const body = JSON.parse(response.body) as { error: string; kind: string };
    expect(body.kind).toBe('internal');
    expect(body.error).toMatch(/^terminal\.resize failed because of a bug in OmniPalm/);
    expect(response.body).not.toContain('no such session');
    expect(response.body).not.toMatch(/\bat .*\.ts:\d+/);
    expect(internalErrors).toEqual([{ where: 'terminal.resize', message: 'no such session' }]);
  });

  it('serves the OpenAPI document to token holders only', async () => {
    const response = await rawRequest({
      port,
      method: 'GET',
      path: '/api/openapi.json',
      headers: goodHeaders(),
    });
    expect(JSON.parse(response.body)).toEqual({ openapi: '3.1.0' });
    const anonymous = await rawRequest({ port, method: 'GET', path: '/api/openapi.json' });
    expect(anonymous.status).toBe(401);
  });
});

describe('static files', () => {
  it('serves index.html at / without a token, with a strict CSP', async () => {
    const response = await rawRequest({ port, method: 'GET', path: '/' });
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>OmniPalm</title>');
    expect(response.headers['content-security-policy']).toBe(
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    const script = await rawRequest({ port, method: 'GET', path: '/assets/app.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('still checks Host and Origin for static files', async () => {
    expect(
      (await rawRequest({ port, method: 'GET', path: '/', headers: { Host: 'evil.example' } }))
        .status,
    ).toBe(421);
    const framed = await rawRequest({
      port,
      method: 'GET',
      path: '/',
      headers: { Origin: 'http://evil.example' },
    });
    expect(framed.status).toBe(403);
  });

  it('refuses path traversal and symlinks out of the folder', async () => {
    for (const pathname of [
      '/../api-token',
      '/%2e%2e/api-token',
      '/assets/..%2f..%2fapi-token',
      '/assets/leak.txt',
      '/..%5capi-token',
    ]) {
      const response = await rawRequest({ port, method: 'GET', path: pathname });
      expect(response.status, pathname).toBe(404);
      expect(response.body).not.toContain('SECRET-OUTSIDE');
    }
  });

  it('says to run npm run build when the renderer is missing', async () => {
    const bare = await startHeadlessServer({
      handlers: core.handlers,
      subscribe: core.subscribe,
      token,
    });
    try {
      const response = await rawRequest({ port: bare.port, method: 'GET', path: '/' });
      expect(response.status).toBe(200);
      expect(response.body).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });
});

describe('the event stream', () => {
  it('refuses a foreign Origin on the WebSocket upgrade', async () => {
    await expect(
      connectEvents(port, { token, origin: 'http://evil.example' }),
    ).rejects.toMatchObject({ status: 403 });
    expect(core.emitters.size).toBe(0);
  });

  it('refuses a foreign Host on the WebSocket upgrade', async () => {
    await expect(connectEvents(port, { token, host: 'evil.example' })).rejects.toMatchObject({
      status: 421,
    });
  });

  it('refuses a missing or wrong token, and counts it as a failed auth', async () => {
    await expect(connectEvents(port, {})).rejects.toMatchObject({ status: 401 });
    await expect(connectEvents(port, { token: generateApiToken() })).rejects.toMatchObject({
      status: 401,
    });
    expect(failures.map((failure) => failure.reason)).toEqual(['missing token', 'wrong token']);
    expect(core.emitters.size).toBe(0);
  });

  it('delivers pushed events to a client holding the token, parsed by the contract', async () => {
    const connection = await connectEvents(port, { token, origin: `http://127.0.0.1:${port}` });
    expect(connection.socket.protocol).toBe('omnipalm.v1');
    expect(core.emitters.size).toBe(1);
    core.push('terminal.exit', { sessionId: 's1', exitCode: 0 });
    expect(await connection.next()).toEqual({
      event: 'terminal.exit',
      payload: { sessionId: 's1', exitCode: 0 },
    });
    const closed = new Promise<number>((resolve) => connection.socket.once('close', resolve));
    // One-way stream: a message from the client closes it.
    connection.socket.send('hello');
    expect(await closed).toBe(1003);
    await expect.poll(() => core.emitters.size).toBe(0);
  });
});

describe('binding', () => {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
  if (address === undefined)
    console.warn(
      'no non-loopback IPv4 address on this machine: the refused-connection test did not run',
    );

  it.skipIf(address === undefined)(
    'refuses connections on a non-loopback address of the machine',
    async () => {
      const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const socket = net.connect({ host: address, port }, () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.once('error', resolve);
      });
      expect(error?.code).toBe('ECONNREFUSED');
    },
  );

  it('needs allowRemote for a non-loopback host', async () => {
    await expect(
      startHeadlessServer({
        handlers: core.handlers,
        subscribe: core.subscribe,
        token,
        host: '0.0.0.0',
      }),
    ).rejects.toThrow(/--allow-remote/);
  });

  it('puts the token in the fragment of the URL it prints, never in the query', () => {
    expect(server.openUrl).toBe(`http://127.0.0.1:${port}/#token=${token}`);
    expect(server.urls[0]).toBe(`http://127.0.0.1:${port}/`);
    expect(server.warnings).toEqual([]);
  });
});
