// The token file's safety, the failed-auth rate limit and a graceful close.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  apiTokenPath,
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
  it('are rate limited per address (429 with Retry-After), even for the right token', async () => {
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
      expect((await callApi(server.port, token, 'app.getStatus')).status).toBe(429);
      await expect(connectEvents(server.port, { token })).rejects.toMatchObject({ status: 429 });
      expect(failures).toHaveLength(3);
      expect(core.calls).toEqual([]);
    } finally {
      await server.close();
    }
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
