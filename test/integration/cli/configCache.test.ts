// The built CLI's config cache (state/config-cache.json): `config get` and `policy check`
// answer from it only for the exact config.yaml bytes a full load validated, and say what the
// full load says in every other case.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OmniPalmConfig } from '../../../src-main/config/schema.js';
import { runCli } from '../../support/runCli.js';
import { makeTempHome } from '../../support/tempFolders.js';

function homeWith(config: string): { home: string; work: string; cache: string } {
  const home = makeTempHome();
  const work = path.join(path.dirname(home), 'work');
  fs.mkdirSync(path.join(work, 'secrets'), { recursive: true });
  fs.mkdirSync(home, { mode: 0o700 });
  fs.writeFileSync(path.join(home, 'config.yaml'), config.replaceAll('$WORK', work), {
    mode: 0o600,
  });
  return { home, work, cache: path.join(home, 'state', 'config-cache.json') };
}

const CONFIG =
  'security:\n  allowed_paths: [$WORK]\n  blocked_paths: [$WORK/secrets]\nagent:\n  timeout: 42\n';

/** Rewrites the cached config in place, keeping the entry's key. */
function editCachedConfig(cache: string, edit: (config: OmniPalmConfig) => void): void {
  const entry = JSON.parse(fs.readFileSync(cache, 'utf8'));
  edit(entry.config);
  fs.writeFileSync(cache, JSON.stringify(entry), { mode: 0o600 });
}

const checks = (work: string): string[][] => [
  ['--op', 'read', '--path', `${work}/a.txt`],
  ['--op', 'delete', '--path', `${work}/a.txt`],
  ['--op', 'read', '--path', `${work}/secrets/key`],
  ['--op', 'write', '--path', '/etc/passwd'],
  ['--op', 'send_email', '--to', 'someone@example.com'],
  ['--op', 'http_request', '--url', 'https://example.com/', '--method', 'POST'],
];

describe.concurrent('omnipalm config cache', () => {
  it('answers config get from the entry for these exact bytes, and only for them', async () => {
    const { home, cache } = homeWith(CONFIG);
    expect((await runCli(['config', 'get', 'agent.timeout'], { home })).stdout).toBe('42\n');
    expect(fs.statSync(cache).mode & 0o777).toBe(0o600);
    // A planted value under the right key shows that the read really took the cache…
    editCachedConfig(cache, (config) => (config.agent.timeout = 7));
    expect((await runCli(['config', 'get', 'agent.timeout'], { home })).stdout).toBe('7\n');
    // …and one changed byte in config.yaml is enough for the full load to answer again.
    fs.appendFileSync(path.join(home, 'config.yaml'), '\n');
    expect((await runCli(['config', 'get', 'agent.timeout'], { home })).stdout).toBe('42\n');
  });

  it('gives the same policy decisions from the cache as from the full load', async () => {
    const { home, work, cache } = homeWith(CONFIG);
    const decide = async (args: string[]) => {
      const result = await runCli(['policy', 'check', ...args, '--json'], { home });
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    for (const args of checks(work)) {
      fs.rmSync(cache, { force: true });
      const full = await decide(args);
      expect(fs.existsSync(cache)).toBe(true);
      expect(await decide(args), args.join(' ')).toBe(full);
    }
  });

  it('ignores an entry with a wrong key, even one that would allow more', async () => {
    const { home, cache } = homeWith(CONFIG);
    const args = ['policy', 'check', '--op', 'read', '--path', '/etc/hostname', '--json'];
    const denied = await runCli(args, { home });
    expect(JSON.parse(denied.stdout).decision).toBe('deny');
    const entry = JSON.parse(fs.readFileSync(cache, 'utf8'));
    entry.config.security.allowed_paths = ['/'];
    entry.key = '0'.repeat(64);
    fs.writeFileSync(cache, JSON.stringify(entry), { mode: 0o600 });
    expect((await runCli(args, { home })).stdout).toBe(denied.stdout);
  });

  it('reports an invalid config exactly as without a cache, and caches nothing for it', async () => {
    const { home, cache } = homeWith(CONFIG);
    expect((await runCli(['config', 'get', 'agent.timeout'], { home })).code).toBe(0);
    fs.writeFileSync(path.join(home, 'config.yaml'), 'agent:\n  timeout: soon\n');
    const withCache = await runCli(['config', 'get', 'agent.timeout'], { home });
    fs.rmSync(cache);
    const withoutCache = await runCli(['config', 'get', 'agent.timeout'], { home });
    expect(withCache).toEqual(withoutCache);
    expect(withCache.code).toBe(2);
    expect(withCache.stderr).toMatch(/config\.yaml:2:12: agent\.timeout: expected a number/);
    expect(fs.existsSync(cache)).toBe(false);
  });

  it('still suggests the right key for a typo when the cache is there', async () => {
    const { home } = homeWith(CONFIG);
    expect((await runCli(['config', 'get', 'agent.timeout'], { home })).code).toBe(0);
    const result = await runCli(['config', 'get', 'agent.timout'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean agent.timeout?');
  });

  it('refreshes the entry on config set, so the next get is the new value', async () => {
    const { home, cache } = homeWith(CONFIG);
    expect((await runCli(['config', 'set', 'agent.timeout', '43'], { home })).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(cache, 'utf8')).config.agent.timeout).toBe(43);
    expect((await runCli(['config', 'get', 'agent.timeout'], { home })).stdout).toBe('43\n');
  });

  it('comes out whole when several commands write it at once', async () => {
    const { home, work, cache } = homeWith(CONFIG);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        index % 2
          ? runCli(['config', 'get', 'security.allowed_paths'], { home })
          : runCli(['policy', 'check', ...checks(work)[2]!, '--json'], { home }),
      ),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(new Set(results.map((result) => result.stdout)).size).toBe(2);
    expect(fs.readdirSync(path.dirname(cache)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    editCachedConfig(cache, (config) => (config.agent.timeout = 8));
    expect((await runCli(['config', 'get', 'agent.timeout'], { home })).stdout).toBe('8\n');
  });
});
