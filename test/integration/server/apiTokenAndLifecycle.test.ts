// The token file's safety, the failed-auth rate limit and a graceful close.
import fs from 'node:fs';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  apiTokenPath,
  generateApiToken,
  loadOrCreateApiToken,
  tokenMatches,
} from '../../../src-main/server/apiToken';
import { startHeadlessServer, type AuthFailure } from '../../../src-main/server/httpServer';
import { callApi, connectEvents, makeStubCore, rawRequest } from '../../support/headlessClient';
import { makeTempHome } from '../../support/tempFolders';

describe('the api-token file', () => {
  it('is 256 random bits, mode 0600 in a 0700 folder, and reused on restart', () => {
    const home = makeTempHome();
    const token = loadOrCreateApiToken(home);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(apiTokenPath(home)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    expect(loadOrCreateApiToken(home)).toBe(token);
    expect(fs.readdirSync(home)).toEqual(['api-token']);
    expect(loadOrCreateApiToken(makeTempHome())).not.toBe(token);
  });

  it('is refused when others can read it, naming the fix', () => {
    const home = makeTempHome();
    loadOrCreateApiToken(home);
    fs.chmodSync(apiTokenPath(home), 0o644);
    expect(() => loadOrCreateApiToken(home)).toThrow(`chmod 600 ${apiTokenPath(home)}`);
  });

  it('is refused when it is a symlink', () => {
    const home = makeTempHome();
    const real = loadOrCreateApiToken(makeTempHome());
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    fs.symlinkSync(apiTokenPath(makeTempHome()), apiTokenPath(home));
    expect(() => loadOrCreateApiToken(home)).toThrow(/symbolic link/);
    expect(real).toHaveLength(43);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abC', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
  });
});

describe('failed authentications', () => {
  it('are limited per address (429 with Retry-After and the fix), the right token never', async () => {
    const core = makeStubCore();
    const token = loadOrCreateApiToken(makeTempHome());
    const failures: AuthFailure[] = [];
    const server = await startHeadlessServer({
      handlers: core.handlers,
      subscribe: core.subscribe,
      token,
      authFailureLimit: { max: 3, windowMs: 60_000 },
      onAuthFailure: (failure) => failures.push(failure),
    });
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await callApi(server.port, 'wrong', 'app.getStatus')).status).toBe(401);
      }
      const limited = await callApi(server.port, 'wrong', 'app.getStatus');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(limited.body).error).toMatch(/Authorization: Bearer <token>/);
      await expect(connectEvents(server.port, { token: 'wrong' })).rejects.toMatchObject({
        status: 429,
      });
      expect(core.calls).toEqual([]);
      expect((await callApi(server.port, token, 'app.getStatus')).status).toBe(200);
      (await connectEvents(server.port, { token })).socket.terminate();
      expect(failures.map((failure) => failure.limitReached)).toEqual([false, false, true]);
    } finally {
      await server.close();
    }
  });

  it('from several HTTP and WebSocket clients never refuse the UI holding the token', async () => {
    const core = makeStubCore();
    const token = loadOrCreateApiToken(makeTempHome());
    const failures: AuthFailure[] = [];
    const server = await startHeadlessServer({
      handlers: core.handlers,
      subscribe: core.subscribe,
      token,
      // The default limit: what a user's server does.
      onAuthFailure: (failure) => failures.push(failure),
    });
    const ui = await connectEvents(server.port, { token });
    const uiAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const attackerStatuses: number[] = [];
    let flooding = true;
    const sprayHttp = async () => {
      // Each attacker keeps its own connection, as a local process would.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (flooding) {
          const answer = await callApi(server.port, generateApiToken(), 'app.getStatus', {}, agent);
          attackerStatuses.push(answer.status);
        }
      } finally {
        agent.destroy();
      }
    };
    const sprayWebSocket = async () => {
      while (flooding) {
        const refused = await connectEvents(server.port, { token: generateApiToken() }).then(
          (connection) => {
            connection.socket.terminate();
            return 101;
          },
          (error: { status?: number }) => error.status ?? 0,
        );
        attackerStatuses.push(refused);
      }
    };
    const attackers = [sprayHttp(), sprayHttp(), sprayHttp(), sprayWebSocket(), sprayWebSocket()];
    const uiStatuses: number[] = [];
    try {
      // Wait until the sprayers are refused with 429: the old limiter locked everyone out here.
      await expect.poll(() => attackerStatuses.includes(429), { timeout: 10_000 }).toBe(true);
      for (let round = 0; round < 40; round += 1) {
        uiStatuses.push((await callApi(server.port, token, 'app.getStatus', {}, uiAgent)).status);
        core.push('terminal.exit', { sessionId: `s${round}`, exitCode: 0 });
        expect(await ui.next()).toEqual({
          event: 'terminal.exit',
          payload: { sessionId: `s${round}`, exitCode: 0 },
        });
      }
      // The page reloads mid-flood: its new event socket is accepted too.
      const reconnected = await connectEvents(server.port, { token });
      reconnected.socket.terminate();
    } finally {
      flooding = false;
      await Promise.all(attackers);
      ui.socket.terminate();
      uiAgent.destroy();
      await server.close();
    }
    expect(uiStatuses).toHaveLength(40);
    expect(uiStatuses.filter((status) => status !== 200)).toEqual([]);
    // The sprayers: 10 answered 401 (the default limit), every later one 429; none served.
    expect(attackerStatuses.filter((status) => status === 401)).toHaveLength(10);
    expect(attackerStatuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect(attackerStatuses.length).toBeGreaterThan(50);
    // One alert per failure up to the limit; the 429s add no audit lines.
    expect(failures).toHaveLength(10);
    expect(core.calls.filter((channel) => channel !== 'app.getStatus')).toEqual([]);
    expect(core.calls).toHaveLength(40);
  });
});

describe('close()', () => {
  it('closes event sockets with 1001 and refuses new calls', async () => {
    const core = makeStubCore();
    const token = loadOrCreateApiToken(makeTempHome());
    const server = await startHeadlessServer({
      handlers: core.handlers,
      subscribe: core.subscribe,
      token,
    });
    const connection = await connectEvents(server.port, { token });
    const code = new Promise<number>((resolve) => connection.socket.once('close', resolve));
    await server.close();
    expect(await code).toBe(1001);
    expect(core.emitters.size).toBe(0);
    await expect(
      rawRequest({ port: server.port, path: '/api/app.getStatus' }),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
