// `omnipalm start`, `doctor`, `--help` and `--version` as real child processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../../package.json' with { type: 'json' };
import { runCli as runCliInProcess } from '../../../src-main/cli/main.js';
import {
  keyringToolsAvailable,
  startPrivateKeyring,
  type PrivateKeyring,
} from '../../support/privateKeyring.js';
import { BUILT_CLI } from '../../support/buildCli.js';
import { cleanEnv, REPO_ROOT, runCli } from '../../support/runCli.js';
import { makeTempFolder, makeTempHome } from '../../support/tempFolders.js';

const isRoot = process.getuid?.() === 0;

/**
 * Runs `omnipalm start …` as a child until it says it is listening, then stops it with
 * SIGTERM the way a service manager does; returns its exit code and output.
 */
async function startUntilListening(
  args: string[],
  home: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BUILT_CLI, 'start', '--port', '0', ...args], {
    env: cleanEnv(home, env),
    cwd: REPO_ROOT,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let signalled = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!signalled && /listening on/.test(stdout)) {
      signalled = true; // once: a second SIGTERM means "quit now", as for any service
      child.kill('SIGTERM');
    }
  });
  const code = await exited;
  return { code, stdout, stderr };
}

describe.concurrent('root guard', () => {
  it('refuses `start` as root, quoting the guide, unless the user opts in', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: { OMNIPALM_HOME: makeTempHome() },
      uid: 0,
    };
    expect(await runCliInProcess(['start', '--headless'], io)).toBe(2);
    expect(err.join('\n')).toContain(
      'refusing to run as root: the security guide says "Don\'t run OmniPalm as root/administrator"',
    );
    expect(err.join('\n')).toContain('--allow-root');
    expect(out).toEqual([]);
  });

  it.runIf(isRoot)(
    'refuses for real when this process is root, starts with the opt-in',
    async () => {
      const home = makeTempHome();
      const refused = await runCli(['start', '--headless'], { home });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('refusing to run as root');
      const allowed = await startUntilListening(['--headless'], home, { OMNIPALM_ALLOW_ROOT: '1' });
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.stdout).toContain(
        'capabilities: filesystem on, terminal on, network on, browser off',
      );
      // Stopped in order on SIGTERM.
      expect(allowed.stdout).toContain('SIGTERM: shutting down');
      expect(allowed.stdout.trimEnd().endsWith('stopped.')).toBe(true);
    },
  );

  it('`start` without --headless says in one line why it falls back when there is no Electron binary', async () => {
    const home = makeTempHome();
    const result = await startUntilListening(['--allow-root'], home);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^(Electron binary not installed|The desktop app is not built).*starting headless mode instead\.$/,
    );
    expect(result.stdout).toContain(
      `config: ${path.join(home, 'config.yaml')} (not created yet: defaults apply)`,
    );
    expect(result.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\//);
    expect(result.stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}/);
  });

  it('refuses a non-loopback --host without --allow-remote, and a bad port', async () => {
    const home = makeTempHome();
    const remote = await runCli(['start', '--headless', '--allow-root', '--host', '0.0.0.0'], {
      home,
    });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('add --allow-remote');
    const port = await runCli(['start', '--headless', '--allow-root', '--port', 'http'], { home });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port expects a number from 0 to 65535, got "http"');
  });

  it('`start` refuses an invalid config instead of starting with defaults', async () => {
    const home = makeTempHome();
    fs.mkdirSync(home, { mode: 0o700 });
    fs.writeFileSync(
      path.join(home, 'config.yaml'),
      'integrations:\n  browser:\n    enabled: yes\n',
    );
    const result = await runCli(['start', '--headless', '--allow-root'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('integrations.browser.enabled: expected boolean, got "yes"');
  });
});

describe.concurrent('help and version', () => {
  it('prints the package version, also through bin/omnipalm.mjs as npx runs it', async () => {
    const result = await runCli(['--version'], { home: makeTempHome() });
    expect(result).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
    const home = makeTempHome();
    const viaBin = await runCli(['config', 'set', 'security.read_only', 'true'], {
      home,
      viaBin: true,
    });
    expect(viaBin.code, viaBin.stderr).toBe(0);
    expect(
      (await runCli(['config', 'get', 'security.read_only'], { home, viaBin: true })).stdout,
    ).toBe('true\n');
  });

  it('has --help for every command', async () => {
    const home = makeTempHome();
    const commands = [
      [],
      ['config'],
      ['config', 'path'],
      ['config', 'list'],
      ['config', 'get'],
      ['config', 'set'],
      ['config', 'validate'],
      ['doctor'],
      ['keys'],
      ['keys', 'set'],
      ['keys', 'list'],
      ['keys', 'delete'],
      ['start'],
      ['policy'],
      ['policy', 'check'],
      ['chat'],
      ['sessions'],
      ['sessions', 'list'],
      ['sessions', 'show'],
      ['sessions', 'rename'],
      ['sessions', 'delete'],
    ];
    const results = await Promise.all(
      commands.map((command) => runCli([...command, '--help'], { home })),
    );
    results.forEach((result, index) => {
      expect(result.code, commands[index]!.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: omnipalm/);
    });
    expect(fs.existsSync(home)).toBe(false);
  });

  it('answers an unknown command with exit 2', async () => {
    const result = await runCli(['strat'], { home: makeTempHome() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'omnipalm: unknown command "strat" (expected one of: audit, chat, config, doctor, keys, mcp, policy, run, sessions, start; see omnipalm --help)\n',
    );
  });

  it('refuses a relative OMNIPALM_HOME', async () => {
    const result = await runCli(['config', 'path'], { home: 'relative/home' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('OMNIPALM_HOME must be an absolute path');
  });
});

describe('doctor', () => {
  let keyring: PrivateKeyring | undefined;
  const keyringMissing = keyringToolsAvailable();
  beforeAll(async () => {
    if (keyringMissing) console.warn(`doctor keychain test did not run: ${keyringMissing}`);
    else keyring = await startPrivateKeyring(makeTempFolder());
  });
  afterAll(async () => keyring?.stop());

  const checksOf = (stdout: string) =>
    Object.fromEntries(
      (
        JSON.parse(stdout).checks as {
          name: string;
          status: string;
          detail: string;
          fix?: string;
        }[]
      ).map((check) => [check.name, check]),
    );

  it('reports every check with a fix, and fails on a world-readable home', async () => {
    const home = makeTempHome();
    fs.mkdirSync(home, { mode: 0o755 });
    fs.chmodSync(home, 0o755);
    fs.writeFileSync(path.join(home, 'config.yaml'), 'security:\n  read_only: true\n', {
      mode: 0o644,
    });
    fs.chmodSync(path.join(home, 'config.yaml'), 0o644);
    const result = await runCli(['doctor', '--json'], { home });
    expect(result.code).toBe(1);
    const checks = checksOf(result.stdout);
    expect(Object.keys(checks)).toEqual([
      'user',
      'config',
      'permissions',
      'sandbox',
      'keychain',
      'keys',
      'electron',
    ]);
    expect(checks.permissions).toMatchObject({
      status: 'fail',
      fix: `chmod 700 ${home} && chmod 600 ${path.join(home, 'config.yaml')}`,
    });
    expect(checks.config!.status).toBe('ok');
    expect(checks.user!.status).toBe(isRoot ? 'warn' : 'ok');
    for (const check of Object.values(checks)) {
      if (check.status !== 'ok') expect(check.fix, check.name).toBeTruthy();
    }
  });

  it('fails on an invalid config and passes once it is fixed', async () => {
    const home = makeTempHome();
    fs.mkdirSync(home, { mode: 0o700 });
    fs.writeFileSync(path.join(home, 'config.yaml'), 'agent:\n  max_iterations: 0\n', {
      mode: 0o600,
    });
    const bad = await runCli(['doctor'], { home });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^fail {2}config {7}.*agent\.max_iterations: expected 1 or more steps, got 0$/m,
    );
    fs.writeFileSync(path.join(home, 'config.yaml'), 'agent:\n  max_iterations: 5\n');
    const good = await runCli(['doctor', '--json'], { home });
    expect(good.code, good.stdout).toBe(0);
  });

  it('finds bubblewrap and says whether it can build a sandbox', async () => {
    const result = await runCli(['doctor', '--json'], { home: makeTempHome() });
    const { sandbox } = checksOf(result.stdout);
    const bwrapInstalled = fs.existsSync('/usr/bin/bwrap');
    if (bwrapInstalled)
      expect(sandbox!.status === 'ok' || sandbox!.detail.includes('cannot create a sandbox')).toBe(
        true,
      );
    else expect(sandbox).toMatchObject({ status: 'warn', fix: 'sudo apt-get install bubblewrap' });
  });

  it('warns that there is no keychain without a Secret Service, and finds a real one', async () => {
    const without = await runCli(['doctor', '--json'], { home: makeTempHome() });
    expect(checksOf(without.stdout).keychain).toMatchObject({ status: 'warn' });
    if (!keyring) return;
    const withKeyring = await runCli(['doctor', '--json'], {
      home: makeTempHome(),
      env: keyring.env,
    });
    expect(checksOf(withKeyring.stdout).keychain).toMatchObject({
      status: 'ok',
      detail: 'the OS keychain answers',
    });
  });
});
