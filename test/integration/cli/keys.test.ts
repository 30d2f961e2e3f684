// `omnipalm keys` as real child processes, against a real gnome-keyring on a private D-Bus.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  keyringToolsAvailable,
  startPrivateKeyring,
  type PrivateKeyring,
} from '../../support/privateKeyring.js';
import { BUILT_CLI } from '../../support/buildCli.js';
import {
  cleanEnv,
  type CliOptions,
  type CliResult,
  REPO_ROOT,
  runCli,
} from '../../support/runCli.js';
import { makeTempFolder, makeTempHome } from '../../support/tempFolders.js';

const ALLOW_ROOT = { OMNIPALM_ALLOW_ROOT: '1' };
const keyringMissing = keyringToolsAvailable();
const scriptMissing =
  spawnSync('sh', ['-c', 'command -v script']).status === 0
    ? undefined
    : 'script (util-linux) is not installed';
let keyring: PrivateKeyring | undefined;

beforeAll(async () => {
  if (keyringMissing) console.warn(`keys keychain tests did not run: ${keyringMissing}`);
  else keyring = await startPrivateKeyring(makeTempFolder());
});
afterAll(async () => keyring?.stop());

/** Every value a test stored; no command output may ever contain one. */
const secrets: string[] = [];
function secret(label: string): string {
  const value = `${label}-${'s3cr3t'.repeat(4)}-${secrets.length}`;
  secrets.push(value);
  return value;
}

/** The keyring's bus and XDG folders, without the OMNIPALM_* it copied from this process. */
function keyringEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(keyring?.env ?? {}).filter(([name]) => !name.startsWith('OMNIPALM_')),
  );
}

async function keys(args: string[], options: CliOptions): Promise<CliResult> {
  const result = await runCli(['keys', ...args], {
    ...options,
    env: { ...keyringEnv(), ...ALLOW_ROOT, ...options.env },
  });
  for (const value of secrets) {
    expect(result.stdout, `stdout of keys ${args.join(' ')}`).not.toContain(value);
    expect(result.stderr, `stderr of keys ${args.join(' ')}`).not.toContain(value);
  }
  return result;
}

/** Reads the keychain directly (not through omnipalm), to see what really landed there. */
function keychainValue(name: string): string | null {
  const script = `
    const { Entry } = require('@napi-rs/keyring');
    const value = new Entry('omnipalm', ${JSON.stringify(name)}, { linux: { store: 'secret-service' } }).getPassword();
    process.stdout.write(JSON.stringify(value));`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    env: keyring!.env,
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as string | null;
}

const listed = (stdout: string) =>
  Object.fromEntries(
    (JSON.parse(stdout).keys as { name: string; source: string; lastSet?: string }[]).map(
      (entry) => [entry.name, entry],
    ),
  );

describe('omnipalm keys with a real keychain', () => {
  it.skipIf(keyringMissing)(
    'sets from stdin, overwrites, lists without values, and deletes',
    async () => {
      const home = makeTempHome();
      const first = secret('first');
      const set = await keys(['set', 'llm_api_key'], { home, input: `${first}\n` });
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toBe('llm_api_key saved to the OS keychain\n');
      // Exactly one trailing newline is dropped.
      expect(keychainValue('llm_api_key')).toBe(first);

      const list = await keys(['list', '--json'], { home });
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout).keychain).toEqual({ available: true });
      const entries = listed(list.stdout);
      expect(entries.llm_api_key).toMatchObject({ source: 'keychain' });
      expect(Date.now() - Date.parse(entries.llm_api_key!.lastSet!)).toBeLessThan(60_000);
      expect(entries.jira_token).toMatchObject({ source: 'missing' });
      expect(entries.jira_token!.lastSet).toBeUndefined();

      const second = secret('second');
      const overwrite = await keys(['set', 'llm_api_key'], { home, input: `${second}\n\n` });
      expect(overwrite.code, overwrite.stderr).toBe(0);
      expect(keychainValue('llm_api_key')).toBe(`${second}\n`);

      const text = await keys(['list'], { home });
      expect(text.stdout).toMatch(/^llm_api_key {4}keychain last set \d{4}-\d\d-\d\dT/m);
      expect(text.stdout).toMatch(/^jira_token {5}missing {2}never set here$/m);

      const deleted = await keys(['delete', 'llm_api_key'], { home });
      expect(deleted).toMatchObject({
        code: 0,
        stdout: 'llm_api_key deleted from the OS keychain\n',
      });
      expect(keychainValue('llm_api_key')).toBeNull();
      const again = await keys(['delete', 'llm_api_key'], { home });
      expect(again).toMatchObject({ code: 0, stdout: 'llm_api_key was not in the keychain\n' });
      expect(listed((await keys(['list', '--json'], { home })).stdout).llm_api_key).toMatchObject({
        source: 'missing',
      });
      const metadata = fs.readFileSync(path.join(home, 'state', 'keys.json'), 'utf8');
      for (const value of secrets) expect(metadata).not.toContain(value);
    },
  );

  it.skipIf(keyringMissing)(
    "stores an MCP server's key under its mcp_* name and lists the configured ones",
    async () => {
      const home = makeTempHome();
      fs.mkdirSync(home, { mode: 0o700 });
      fs.writeFileSync(
        path.join(home, 'config.yaml'),
        [
          'integrations:',
          '  mcp:',
          '    servers:',
          '      github:',
          '        command: npx',
          '        env: { GITHUB_PERSONAL_ACCESS_TOKEN: mcp_github_token }',
          '      wiki:',
          '        url: https://wiki.example.com/mcp',
          '        headers: { Authorization: mcp_wiki_auth }',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      const value = secret('mcp-github');
      const set = await keys(['set', 'mcp_github_token'], { home, input: `${value}\n` });
      expect(set).toMatchObject({ code: 0, stdout: 'mcp_github_token saved to the OS keychain\n' });
      expect(keychainValue('mcp_github_token')).toBe(value);

      const list = await keys(['list', '--json'], { home });
      expect(list.code, list.stderr).toBe(0);
      const entries = listed(list.stdout);
      expect(Object.keys(entries)).toEqual([
        'llm_api_key',
        'jira_token',
        'slack_token',
        'smtp_password',
        'mcp_github_token',
        'mcp_wiki_auth',
      ]);
      expect(entries.mcp_github_token).toMatchObject({ source: 'keychain', inKeychain: true });
      expect(entries.mcp_wiki_auth).toMatchObject({ source: 'missing', inKeychain: false });
      const text = await keys(['list'], { home, env: { OMNIPALM_MCP_WIKI_AUTH: secret('wiki') } });
      expect(text.stdout).toMatch(/^mcp_github_token keychain last set \d{4}-/m);
      expect(text.stdout).toMatch(/^mcp_wiki_auth {2}env {6}never set here$/m);

      const deleted = await keys(['delete', 'mcp_github_token'], { home });
      expect(deleted).toMatchObject({
        code: 0,
        stdout: 'mcp_github_token deleted from the OS keychain\n',
      });
      expect(keychainValue('mcp_github_token')).toBeNull();
      expect(
        listed((await keys(['list', '--json'], { home })).stdout).mcp_github_token,
      ).toMatchObject({ source: 'missing' });
    },
  );

  it.skipIf(keyringMissing)('the environment wins over the keychain', async () => {
    const home = makeTempHome();
    const stored = secret('stored');
    expect((await keys(['set', 'slack_token'], { home, input: stored })).code).toBe(0);
    const fromEnv = secret('env');
    const withEnv = await keys(['list', '--json'], {
      home,
      env: { OMNIPALM_SLACK_TOKEN: fromEnv },
    });
    expect(listed(withEnv.stdout).slack_token).toMatchObject({ source: 'env', inKeychain: true });
    const note = await keys(['set', 'slack_token'], {
      home,
      input: stored,
      env: { OMNIPALM_SLACK_TOKEN: fromEnv },
    });
    expect(note.stderr).toContain('OMNIPALM_SLACK_TOKEN is set in this environment and wins');
    expect((await keys(['delete', 'slack_token'], { home })).code).toBe(0);
  });

  it.skipIf(keyringMissing)('doctor warns about keys older than key_rotation_days', async () => {
    const home = makeTempHome();
    expect((await keys(['set', 'jira_token'], { home, input: secret('jira') })).code).toBe(0);
    const doctor = async () => {
      const result = await runCli(['doctor', '--json'], { home, env: keyringEnv() });
      return (JSON.parse(result.stdout).checks as { name: string }[]).find(
        (check) => check.name === 'keys',
      );
    };
    expect(await doctor()).toMatchObject({ status: 'ok' });
    const old = new Date(Date.now() - 100 * 24 * 60 * 60 * 1000).toISOString();
    const file = path.join(home, 'state', 'keys.json');
    fs.writeFileSync(file, JSON.stringify({ jira_token: old }));
    expect(await doctor()).toMatchObject({
      status: 'warn',
      detail: 'jira_token was last set 100 days ago (rotate every 90 days)',
      fix: 'omnipalm keys set jira_token',
    });
    fs.writeFileSync(path.join(home, 'config.yaml'), 'security:\n  key_rotation_days: 120\n', {
      mode: 0o600,
    });
    expect(await doctor()).toMatchObject({ status: 'ok' });
    expect((await keys(['delete', 'jira_token'], { home })).code).toBe(0);
  });
});

describe('omnipalm keys set on a terminal', () => {
  it.skipIf(keyringMissing ?? scriptMissing)(
    'prompts with echo off, and the typed key never shows on the terminal',
    async () => {
      const home = makeTempHome();
      const typed = secret('typed');
      // `script` gives the CLI a real pseudo-terminal; what it prints is what a user would see.
      const child = spawn(
        'script',
        [
          '-qec',
          `${JSON.stringify(process.execPath)} ${BUILT_CLI} keys set llm_api_key`,
          '/dev/null',
        ],
        { env: cleanEnv(home, { ...keyringEnv(), ...ALLOW_ROOT }), cwd: REPO_ROOT },
      );
      let screen = '';
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve) => {
        child.on('close', () => resolve());
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          screen += chunk;
          if (screen.includes('(input hidden): ')) resolve();
        });
      });
      // Typed only once the prompt is up, i.e. once echo is off.
      child.stdin.end(`${typed}\r`);
      expect(await exited, screen).toBe(0);
      expect(screen).toContain('Value for llm_api_key (input hidden): ');
      expect(screen).toContain('llm_api_key saved to the OS keychain');
      expect(screen).not.toContain(typed);
      expect(keychainValue('llm_api_key')).toBe(typed);
      expect((await keys(['delete', 'llm_api_key'], { home })).code).toBe(0);
    },
  );
});

describe('omnipalm keys without a keychain', () => {
  const noBus = { DBUS_SESSION_BUS_ADDRESS: '' };

  it('lists the keychain as unavailable and still finds environment keys', async () => {
    const home = makeTempHome();
    const fromEnv = secret('env-only');
    const list = await keys(['list'], { home, env: { ...noBus, OMNIPALM_JIRA_TOKEN: fromEnv } });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^keychain unavailable: .+ \(keys come from environment/);
    expect(list.stdout).toMatch(/^jira_token {5}env {6}never set here$/m);
    const json = await keys(['list', '--json'], { home, env: noBus });
    expect(JSON.parse(json.stdout).keychain).toMatchObject({ available: false });
  });

  it('refuses to set, pointing at the environment variable, and writes no file', async () => {
    const home = makeTempHome();
    const result = await keys(['set', 'smtp_password'], {
      home,
      env: noBus,
      input: secret('smtp'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^omnipalm: the OS keychain is unavailable \(.+\); set OMNIPALM_SMTP_PASSWORD in the environment instead/,
    );
    expect(fs.existsSync(home)).toBe(false);
  });
});

describe('omnipalm keys bad input', () => {
  it('never takes a key from the command line, and answers bad input with exit 2', async () => {
    const home = makeTempHome();
    const value = secret('argv');
    const cases: [string[], string][] = [
      [
        ['set', 'llm_api_key', value],
        'omnipalm: keys set: never pass a key on the command line (it lands in shell history and ps); pipe it: … | omnipalm keys set NAME\n',
      ],
      [
        ['set', 'llm_api_key', `--${value}`],
        'omnipalm: keys set: never pass a key on the command line (it lands in shell history and ps); pipe it: … | omnipalm keys set NAME\n',
      ],
      [
        ['set', 'github_token'],
        'omnipalm: keys set: unknown key "github_token" (known keys: llm_api_key, jira_token, slack_token, smtp_password, or mcp_NAME for an MCP server: lowercase letters, digits, _)\n',
      ],
      [
        ['set', 'mcp_GitHub'],
        'omnipalm: keys set: unknown key "mcp_GitHub" (known keys: llm_api_key, jira_token, slack_token, smtp_password, or mcp_NAME for an MCP server: lowercase letters, digits, _)\n',
      ],
      [
        ['set'],
        'omnipalm: keys set: missing NAME (one of: llm_api_key, jira_token, slack_token, smtp_password, or mcp_NAME for an MCP server)\n',
      ],
      [
        ['rotate'],
        'omnipalm: keys: unknown command "rotate" (expected one of: set, list, delete)\n',
      ],
      [
        ['list', 'extra'],
        'omnipalm: keys list: unexpected argument "extra" (see omnipalm keys list --help)\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await keys(args, { home });
      expect(result, args.join(' ')).toMatchObject({ code: 2, stdout: '', stderr });
    }
    const empty = await keys(['set', 'llm_api_key'], { home, input: '\n' });
    if (!keyringMissing) {
      expect(empty).toMatchObject({
        code: 2,
        stderr: 'omnipalm: keys set: the value is empty; nothing saved\n',
      });
    }
    expect(fs.existsSync(path.join(home, 'state'))).toBe(false);
  });
});
