// SecretStore: env → keychain → command, last-set times, and a keychain that is not there.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SecretName } from '../../../src-main/config/schema.js';
import { secretMetadataFile } from '../../../src-main/secrets/secretMetadata.js';
import {
  type Keychain,
  type KeychainStatus,
  OsKeychain,
  SecretStore,
  type SecretStoreOptions,
} from '../../../src-main/secrets/secretStore.js';
import { makeTempHome } from '../../support/tempFolders.js';

/** An in-memory keychain for the store's own logic; the real one is tested through the CLI. */
class MemoryKeychain implements Keychain {
  readonly entries = new Map<SecretName, string>();
  constructor(private readonly status: KeychainStatus = { available: true }) {}
  probe = () => this.status;
  get = (name: SecretName) => this.entries.get(name);
  set = (name: SecretName, value: string) => void this.entries.set(name, value);
  delete = (name: SecretName) => this.entries.delete(name);
}

function makeStore(options: Partial<SecretStoreOptions> = {}) {
  const registered: [string, string][] = [];
  const keychain = (options.keychain as MemoryKeychain | undefined) ?? new MemoryKeychain();
  const store = new SecretStore({
    home: makeTempHome(),
    env: {},
    keychain,
    redactor: { registerSecret: (name, value) => registered.push([name, value]) },
    ...options,
  });
  return { store, keychain, registered };
}

const VALUE = 'keychain-value-0123456789';
const node = process.execPath;

describe('SecretStore', () => {
  it('resolves env first, then the keychain, then the command, and registers each value', () => {
    const keychain = new MemoryKeychain();
    const commands = {
      llm_api_key: {
        command: [node, '-e', "process.stdout.write('c'.repeat(20) + '\\n')"],
        timeout_seconds: 10,
      },
    };
    const { store, registered } = makeStore({ keychain, commands });
    expect(store.resolve('llm_api_key')).toEqual({ value: 'c'.repeat(20), source: 'command' });
    store.set('llm_api_key', VALUE);
    expect(store.resolve('llm_api_key')).toEqual({ value: VALUE, source: 'keychain' });
    const withEnv = makeStore({
      keychain,
      commands,
      env: { OMNIPALM_LLM_API_KEY: 'env-value-0123456789' },
    });
    expect(withEnv.store.resolve('llm_api_key')).toEqual({
      value: 'env-value-0123456789',
      source: 'env',
    });
    expect(store.resolve('jira_token')).toEqual({ source: 'missing' });
    expect(registered).toEqual([
      ['llm_api_key', 'c'.repeat(20)],
      ['llm_api_key', VALUE],
      ['llm_api_key', VALUE],
    ]);
    expect(withEnv.registered).toEqual([['llm_api_key', 'env-value-0123456789']]);
  });

  it('refuses unknown names (listing the known ones) and empty values', () => {
    const { store, keychain } = makeStore();
    expect(() => store.resolve('github_token')).toThrow(
      'unknown key "github_token" (known keys: llm_api_key, jira_token, slack_token, smtp_password, or mcp_NAME for an MCP server: lowercase letters, digits, _)',
    );
    for (const name of ['mcp_', 'mcp_GitHub', 'mcp_a-b', 'MCP_TOKEN', 'mcp_../x']) {
      expect(() => store.set(name, VALUE), name).toThrow(`unknown key "${name}"`);
    }
    expect(() => store.set('nope', VALUE)).toThrow('known keys: llm_api_key');
    expect(() => store.set('jira_token', '')).toThrow('refusing to store an empty value');
    expect(keychain.entries.size).toBe(0);
  });

  it('lists sources and last-set times, never values, kept in a private keys.json', () => {
    const home = makeTempHome();
    const { store } = makeStore({
      home,
      env: { OMNIPALM_SLACK_TOKEN: 'slack-env-0123456789' },
      commands: { smtp_password: { command: ['pass', 'show', 'smtp'], timeout_seconds: 10 } },
    });
    const before = Date.now();
    store.set('llm_api_key', VALUE);
    const listed = store.list();
    expect(listed.map(({ name, source }) => [name, source])).toEqual([
      ['llm_api_key', 'keychain'],
      ['jira_token', 'missing'],
      ['slack_token', 'env'],
      ['smtp_password', 'command'],
    ]);
    expect(listed[0]!.lastSet!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(listed[1]!.lastSet).toBeUndefined();
    expect(JSON.stringify(listed)).not.toContain(VALUE);

    const file = secretMetadataFile(home);
    const text = fs.readFileSync(file, 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['llm_api_key']);
    expect(text).not.toContain(VALUE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    expect(store.delete('llm_api_key')).toBe(true);
    expect(store.delete('llm_api_key')).toBe(false);
    expect(store.list()[0]).toMatchObject({ source: 'missing', lastSet: undefined });
  });

  it('holds MCP servers’ keys under mcp_* names, from env (OMNIPALM_MCP_*) or the keychain', () => {
    const home = makeTempHome();
    const { store, keychain, registered } = makeStore({
      home,
      env: { OMNIPALM_MCP_COMPANY_DOCS: 'docs-env-0123456789', OMNIPALM_MCP_: 'ignored' },
    });
    store.set('mcp_github_token', VALUE);
    expect(keychain.entries.get('mcp_github_token')).toBe(VALUE);
    expect(store.resolve('mcp_github_token')).toEqual({ value: VALUE, source: 'keychain' });
    expect(store.resolve('mcp_company_docs')).toEqual({
      value: 'docs-env-0123456789',
      source: 'env',
    });
    expect(store.resolve('mcp_unset')).toEqual({ source: 'missing' });
    expect(registered.map(([name]) => name)).toEqual([
      'mcp_github_token',
      'mcp_github_token',
      'mcp_company_docs',
    ]);

    // OmniPalm's own list is unchanged; the MCP list names set, env-given and configured keys.
    expect(store.list().map(({ name }) => name)).toEqual([
      'llm_api_key',
      'jira_token',
      'slack_token',
      'smtp_password',
    ]);
    const mcp = store.listMcp(['mcp_wiki', 'llm_api_key', 'not a name', 'mcp_github_token']);
    expect(mcp.map(({ name, source }) => [name, source])).toEqual([
      ['mcp_company_docs', 'env'],
      ['mcp_github_token', 'keychain'],
      ['mcp_wiki', 'missing'],
    ]);
    expect(mcp[1]!.lastSet).toBeInstanceOf(Date);
    expect(Object.keys(JSON.parse(fs.readFileSync(secretMetadataFile(home), 'utf8')))).toEqual([
      'mcp_github_token',
    ]);

    expect(store.delete('mcp_github_token')).toBe(true);
    expect(store.listMcp().map(({ name }) => name)).toEqual(['mcp_company_docs']);
  });

  it('ignores names in keys.json that are not secret names', () => {
    const home = makeTempHome();
    const file = secretMetadataFile(home);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ mcp_ok: '2026-01-01T00:00:00Z', '../x': '2026-01-01T00:00:00Z' }),
    );
    const { store } = makeStore({ home });
    expect(store.listMcp().map(({ name }) => name)).toEqual(['mcp_ok']);
  });

  it('without a keychain: env still resolves, set says to use the environment variable', () => {
    const home = makeTempHome();
    // A real probe with no D-Bus session (and no way to autolaunch one) is unavailable.
    const keychain = new OsKeychain({ PATH: process.env.PATH, HOME: home });
    const status = keychain.probe();
    expect(status.available).toBe(false);
    const { store } = makeStore({
      home,
      keychain,
      env: { OMNIPALM_JIRA_TOKEN: 'jira-env-0123456789' },
    });
    expect(store.available()).toEqual(status);
    expect(store.resolve('jira_token')).toEqual({ value: 'jira-env-0123456789', source: 'env' });
    expect(store.resolve('llm_api_key')).toEqual({ source: 'missing' });
    expect(() => store.set('llm_api_key', VALUE)).toThrow(
      /the OS keychain is unavailable \(.+\), so llm_api_key cannot be saved; set the environment variable OMNIPALM_LLM_API_KEY instead/,
    );
    expect(fs.existsSync(home)).toBe(false);
  });

  it('runs the command without a shell and reports failures without its output', () => {
    const leaked = 'x'.repeat(20);
    const run = (command: string[], timeout_seconds = 10) =>
      makeStore({ commands: { jira_token: { command, timeout_seconds } } }).store.resolve(
        'jira_token',
      );
    // No shell: `$HOME` and `;` reach the program as plain text.
    expect(run([node, '-e', 'process.stdout.write(process.argv[1])', '$HOME;id'])).toEqual({
      value: '$HOME;id',
      source: 'command',
    });
    const failures: [string[], number | undefined, RegExp][] = [
      [
        [
          node,
          '-e',
          `process.stdout.write('${leaked}'); process.stderr.write('${leaked}'); process.exit(3)`,
        ],
        undefined,
        /^secrets\.jira_token\.command: "node" exited with code 3 \(its output is not shown/,
      ],
      [
        [node, '-e', `process.stdout.write('${leaked}'); setTimeout(() => {}, 60000)`],
        0.5,
        /^secrets\.jira_token\.command: "node" did not finish within 0\.5 s/,
      ],
      [[node, '-e', ''], undefined, /"node" printed nothing/],
      [
        ['/nonexistent/omnipalm-helper'],
        undefined,
        /could not run "\/nonexistent\/omnipalm-helper" \(ENOENT\)/,
      ],
    ];
    for (const [command, timeout, expected] of failures) {
      let message = '';
      try {
        run(command, timeout);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(expected);
      expect(message).not.toContain(leaked);
    }
  });

  it('keeps a value the redactor refuses out of the keychain', () => {
    const keychain = new MemoryKeychain();
    const store = new SecretStore({
      home: makeTempHome(),
      env: {},
      keychain,
      redactor: {
        registerSecret: () => {
          throw new Error('too short');
        },
      },
    });
    expect(() => store.set('llm_api_key', 'short')).toThrow('too short');
    expect(keychain.entries.size).toBe(0);
  });
});
