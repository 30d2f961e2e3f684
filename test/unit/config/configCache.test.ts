// The validated-config cache (state/config-cache.json): a hit must give exactly what the full
// load gives, and anything doubtful must send the caller to the full load.
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  configCacheFile,
  configDigest,
  loadCachedConfig,
  writeCacheEntry,
} from '../../../src-main/config/configCache.js';
import { ConfigStore } from '../../../src-main/config/configStore.js';
import { ALL_KEYS } from '../../../src-main/config/keys.js';
import { makeTempHome } from '../../support/tempFolders.js';

const FINGERPRINT = 'fingerprint-of-this-schema';

function homeWith(text: string | undefined): string {
  const home = makeTempHome();
  fs.mkdirSync(home, { mode: 0o700 });
  if (text !== undefined) fs.writeFileSync(path.join(home, 'config.yaml'), text, { mode: 0o600 });
  return home;
}

const storeOf = (home: string, cacheFingerprint = FINGERPRINT) =>
  new ConfigStore(home, { cacheFingerprint });

/** Loads fully (which writes the entry), then reads the entry back. */
function fullAndCached(home: string) {
  const full = storeOf(home).load();
  return { full, cached: loadCachedConfig(home, FINGERPRINT) };
}

const CONFIGS: Record<string, string | undefined> = {
  'no file (the defaults)': undefined,
  'an empty file': '',
  'the guide': [
    '# my settings',
    'security:',
    '  allowed_paths: [~/projects, /srv/data]',
    '  blocked_paths: [~/projects/secret]',
    '  confirm_operations: [delete, send_email, execute_shell, deploy, write]',
    '  read_only: true',
    '  rate_limits: { emails_per_hour: 0, file_operations_per_minute: 5 }',
    '  trusted_paths: [~/projects/notes]',
    '  stop_on_cost_limit: 2.5',
    'integrations:',
    '  terminal: { enabled: false }',
    '  network: { allowed_hosts: ["*.example.com", "api.example.org:8443"] }',
    '  email:',
    '    enabled: true',
    '    smtp: { host: smtp.example.com, from: me@example.com, port: 465, secure: true }',
    '    allowed_recipients: ["*@example.com"]',
    '  jira: { enabled: true, base_url: "https://example.atlassian.net" }',
    'agent: { timeout: 12.5, max_iterations: 3 }',
    'logging: { file: ~/logs/omnipalm.log, level: DEBUG }',
    'secrets:',
    '  llm_api_key: { command: [pass, show, omnipalm/llm] }',
    'llm:',
    '  provider: openai-compatible',
    '  model: "123"',
    '  base_url: http://localhost:8080/v1',
    '  prices: { local-model: { input_per_million: 0, output_per_million: 0 } }',
    'monitoring: { sensitive_keywords: [größe, "日本語", "a\\u0000b"] }',
    'ui: { hotkey: "CommandOrControl+Alt+K" }',
    '',
  ].join('\n'),
  'CRLF line ends': 'security:\r\n  read_only: true\r\n',
};

describe('config cache: a hit is the full load', () => {
  for (const [name, text] of Object.entries(CONFIGS)) {
    it(`gives deep-equal results for ${name}`, () => {
      const home = homeWith(text);
      const { full, cached } = fullAndCached(home);
      expect(cached).toBeDefined();
      expect(isDeepStrictEqual(cached!.config, full)).toBe(true);
      expect([...cached!.keys]).toEqual([...ALL_KEYS]);
    });
  }

  it('writes the entry 0600 in a 0700 state folder', () => {
    const home = homeWith(CONFIGS['the guide']);
    storeOf(home).load();
    const file = configCacheFile(home);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('resolves home-dependent defaults for the home it is read in, never caches them', () => {
    const first = homeWith('agent: { timeout: 7 }\n');
    storeOf(first).load();
    const second = homeWith('agent: { timeout: 7 }\n');
    fs.mkdirSync(path.join(second, 'state'), { mode: 0o700 });
    fs.copyFileSync(configCacheFile(first), configCacheFile(second));
    const cached = loadCachedConfig(second, FINGERPRINT);
    expect(cached?.config.logging.file).toBe(path.join(second, 'logs', 'audit.log'));
    expect(cached?.config).toStrictEqual(storeOf(second).load());
  });

  it('is refreshed by config set, so the next read sees the new value', () => {
    const home = homeWith('agent: { timeout: 7 }\n');
    storeOf(home).load();
    storeOf(home).set('agent.timeout', '9');
    expect(loadCachedConfig(home, FINGERPRINT)?.config.agent.timeout).toBe(9);
  });
});

describe('config cache: anything doubtful is the full load', () => {
  it('misses once config.yaml changes by a single byte', () => {
    const home = homeWith('security:\n  read_only: true\n');
    storeOf(home).load();
    fs.writeFileSync(path.join(home, 'config.yaml'), 'security:\n  read_only: true \n');
    expect(loadCachedConfig(home, FINGERPRINT)).toBeUndefined();
  });

  it('never caches an invalid config, and an older entry does not answer for it', () => {
    const home = homeWith('security:\n  read_only: true\n');
    storeOf(home).load();
    const before = fs.readFileSync(configCacheFile(home), 'utf8');
    fs.writeFileSync(path.join(home, 'config.yaml'), 'security:\n  read_only: maybe\n');
    expect(() => storeOf(home).load()).toThrow(/security\.read_only/);
    expect(fs.readFileSync(configCacheFile(home), 'utf8')).toBe(before);
    expect(loadCachedConfig(home, FINGERPRINT)).toBeUndefined();
  });

  it('ignores an entry written under another schema fingerprint', () => {
    const home = homeWith('security:\n  read_only: true\n');
    storeOf(home, 'an older schema').load();
    expect(loadCachedConfig(home, 'an older schema')).toBeDefined();
    expect(loadCachedConfig(home, FINGERPRINT)).toBeUndefined();
  });

  it('ignores a tampered entry whose key does not match', () => {
    const home = homeWith('security:\n  read_only: true\n');
    storeOf(home).load();
    const file = configCacheFile(home);
    const entry = JSON.parse(fs.readFileSync(file, 'utf8'));
    entry.config.security.read_only = false;
    entry.key = entry.key.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    fs.writeFileSync(file, JSON.stringify(entry), { mode: 0o600 });
    expect(loadCachedConfig(home, FINGERPRINT)).toBeUndefined();
  });

  it('ignores an entry filed under the digest of other bytes', () => {
    const home = homeWith('security:\n  read_only: true\n');
    const other = storeOf(homeWith('security:\n  read_only: false\n')).load();
    writeCacheEntry(
      home,
      configDigest(Buffer.from('something else')),
      other,
      ALL_KEYS,
      FINGERPRINT,
    );
    expect(loadCachedConfig(home, FINGERPRINT)).toBeUndefined();
  });

  it('ignores an unreadable, corrupt or foreign-shaped entry', () => {
    const home = homeWith('security:\n  read_only: true\n');
    storeOf(home).load();
    const file = configCacheFile(home);
    for (const text of ['{', 'null', '[]', '{"format":1}', JSON.stringify({ format: 2 })]) {
      fs.writeFileSync(file, text, { mode: 0o600 });
      expect(loadCachedConfig(home, FINGERPRINT), text).toBeUndefined();
    }
  });

  it('ignores an entry that another user could have written or swapped', () => {
    const home = homeWith('security:\n  read_only: true\n');
    storeOf(home).load();
    const file = configCacheFile(home);
    expect(loadCachedConfig(home, FINGERPRINT)).toBeDefined();

    fs.chmodSync(file, 0o640);
    expect(loadCachedConfig(home, FINGERPRINT), 'group-readable').toBeUndefined();
    fs.chmodSync(file, 0o600);

    fs.chmodSync(path.dirname(file), 0o770);
    expect(loadCachedConfig(home, FINGERPRINT), 'group-writable folder').toBeUndefined();
    fs.chmodSync(path.dirname(file), 0o700);

    const elsewhere = path.join(home, 'entry.json');
    fs.renameSync(file, elsewhere);
    fs.symlinkSync(elsewhere, file);
    expect(loadCachedConfig(home, FINGERPRINT), 'a symlink').toBeUndefined();
    fs.rmSync(file);

    fs.linkSync(elsewhere, file);
    expect(loadCachedConfig(home, FINGERPRINT), 'a hard link').toBeUndefined();
    fs.rmSync(elsewhere);
    expect(loadCachedConfig(home, FINGERPRINT), 'the same file, linked once').toBeDefined();
  });

  it.runIf(process.getuid?.() === 0)('ignores an entry owned by another user', () => {
    const home = homeWith('security:\n  read_only: true\n');
    storeOf(home).load();
    fs.chownSync(configCacheFile(home), 65534, 65534);
    expect(loadCachedConfig(home, FINGERPRINT)).toBeUndefined();
  });

  it('caches nothing JSON cannot give back exactly (-0)', () => {
    const home = homeWith('security:\n  stop_on_cost_limit: -0\n');
    expect(Object.is(storeOf(home).load().security.stop_on_cost_limit, -0)).toBe(true);
    expect(fs.existsSync(configCacheFile(home))).toBe(false);
    expect(loadCachedConfig(home, FINGERPRINT)).toBeUndefined();
  });

  it('is neither read nor written without a fingerprint (running from source)', () => {
    const home = homeWith('security:\n  read_only: true\n');
    new ConfigStore(home, { cacheFingerprint: undefined }).load();
    expect(fs.existsSync(path.join(home, 'state'))).toBe(false);
    storeOf(home).load();
    expect(loadCachedConfig(home, undefined)).toBeUndefined();
  });

  it('never creates OmniPalm home for a read', () => {
    const home = makeTempHome();
    storeOf(home).load();
    expect(fs.existsSync(home)).toBe(false);
  });
});
