// `omnipalm config …` run as a real child process against a temp OMNIPALM_HOME.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/runCli.js';
import { makeTempHome } from '../../support/tempFolders.js';
import { filler } from '../../unit/secrets/fakeSecrets.js';

function homeWithConfig(text: string): string {
  const home = makeTempHome();
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(home, 'config.yaml'), text, { mode: 0o600 });
  return home;
}

describe.concurrent('config path / list / get', () => {
  it('prints the config path inside OMNIPALM_HOME', async () => {
    const home = makeTempHome();
    const result = await runCli(['config', 'path'], { home });
    expect(result).toMatchObject({ code: 0, stdout: `${path.join(home, 'config.yaml')}\n` });
  });

  it("lists the guide's defaults when no file exists, without creating one", async () => {
    const home = makeTempHome();
    const result = await runCli(['config', 'list', '--json'], { home });
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout);
    expect(config.integrations).toEqual({
      filesystem: { enabled: true },
      terminal: { enabled: true },
      network: { enabled: true, allowed_hosts: [] },
      browser: { enabled: false },
      email: {
        enabled: false,
        smtp: { port: 587, secure: false },
        allowed_recipients: [],
      },
      jira: { enabled: false },
      slack: { enabled: false, base_url: 'https://slack.com/api' },
      mcp: { enabled: false, servers: {} },
    });
    expect(config.security).toMatchObject({
      require_confirmation: true,
      confirm_operations: ['delete', 'send_email', 'execute_shell', 'deploy'],
      read_only: false,
      rate_limits: {
        emails_per_hour: 20,
        api_calls_per_minute: 60,
        file_operations_per_minute: 100,
        shell_commands_per_minute: 30,
        mcp_calls_per_minute: 30,
      },
      stop_on_error_count: 3,
      stop_on_cost_limit: 10,
      untrusted_content_guard: true,
    });
    expect(config.agent).toEqual({ max_iterations: 25, timeout: 300, confirmation_timeout: 120 });
    expect(config.logging).toMatchObject({
      level: 'INFO',
      file: path.join(home, 'logs', 'audit.log'),
      max_size: '100MB',
      max_files: 10,
      log_api_calls: false,
    });
    expect(fs.existsSync(home)).toBe(false);
  });

  it('prints scalars as YAML and lists as JSON', async () => {
    const home = makeTempHome();
    expect((await runCli(['config', 'get', 'agent.max_iterations'], { home })).stdout).toBe('25\n');
    expect((await runCli(['config', 'get', 'logging.level'], { home })).stdout).toBe('INFO\n');
    const list = await runCli(['config', 'get', 'security.confirm_operations'], { home });
    expect(JSON.parse(list.stdout)).toEqual(['delete', 'send_email', 'execute_shell', 'deploy']);
    const section = await runCli(['config', 'get', 'security.rate_limits'], { home });
    expect(JSON.parse(section.stdout)).toMatchObject({ emails_per_hour: 20 });
  });
});

describe.concurrent('config set, exactly as the guide uses it', () => {
  it('runs the four guide commands and reads them back', async () => {
    const home = makeTempHome();
    const commands: [string, string, unknown][] = [
      ['security.require_confirmation', 'true', true],
      [
        'security.confirm_operations',
        '["delete", "send_email", "execute_shell", "deploy"]',
        ['delete', 'send_email', 'execute_shell', 'deploy'],
      ],
      ['integrations.browser.enabled', 'false', false],
      ['security.read_only', 'true', true],
    ];
    for (const [key, value] of commands) {
      const set = await runCli(['config', 'set', key, value], { home });
      expect(set.code, set.stderr).toBe(0);
    }
    const config = JSON.parse((await runCli(['config', 'list', '--json'], { home })).stdout);
    for (const [key, , expected] of commands) {
      const value = key.split('.').reduce((node, part) => node[part], config);
      expect(value).toEqual(expected);
    }
  });

  it('writes config.yaml 0600 in a 0700 folder', async () => {
    const home = makeTempHome();
    expect((await runCli(['config', 'set', 'security.read_only', 'true'], { home })).code).toBe(0);
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(home, 'config.yaml')).mode & 0o777).toBe(0o600);
    // state/ holds the validated-config cache (config-cache.json), private like the rest.
    expect(fs.readdirSync(home).sort()).toEqual(['config.yaml', 'logs', 'state']);
    expect(fs.statSync(path.join(home, 'logs')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(home, 'state')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(home, 'state', 'config-cache.json')).mode & 0o777).toBe(0o600);
  });

  it("keeps the user's comments and key order", async () => {
    const original = [
      '# My OmniPalm settings',
      'agent:',
      '  timeout: 120 # two minutes is plenty',
      'security:',
      '  # where the agent may work',
      '  allowed_paths: [~/projects, /tmp/omnipalm]',
      '  read_only: false',
      '',
    ].join('\n');
    const home = homeWithConfig(original);
    const result = await runCli(['config', 'set', 'security.read_only', 'true'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(home, 'config.yaml'), 'utf8')).toBe(
      original.replace('read_only: false', 'read_only: true'),
    );
  });

  it('does not lose an update when several run at once', async () => {
    const home = makeTempHome();
    const sets: [string, string][] = [
      ['security.read_only', 'true'],
      ['agent.max_iterations', '7'],
      ['agent.timeout', '60'],
      ['integrations.terminal.enabled', 'false'],
      ['security.stop_on_error_count', '5'],
    ];
    const results = await Promise.all(
      sets.map(([key, value]) => runCli(['config', 'set', key, value], { home })),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const config = JSON.parse((await runCli(['config', 'list', '--json'], { home })).stdout);
    expect(config.security.read_only).toBe(true);
    expect(config.agent).toEqual({ max_iterations: 7, timeout: 60, confirmation_timeout: 120 });
    expect(config.integrations.terminal.enabled).toBe(false);
    expect(config.security.stop_on_error_count).toBe(5);
  });
});

describe.concurrent('bad input: one clear line, exit 2, nothing changed', () => {
  it('names an unknown key and suggests the right one', async () => {
    const home = makeTempHome();
    const result = await runCli(['config', 'set', 'security.alowed_paths', '["/tmp"]'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'omnipalm: unknown config key "security.alowed_paths" (did you mean security.allowed_paths?)\n',
    );
    expect(fs.existsSync(home)).toBe(false);
    const get = await runCli(['config', 'get', 'agent.max_iteration'], { home });
    expect(get.code).toBe(2);
    expect(get.stderr).toContain('(did you mean agent.max_iterations?)');
  });

  it('says a key inside a map is set with the whole map, not suggesting an unrelated key', async () => {
    const home = makeTempHome();
    const result = await runCli(
      ['config', 'set', 'integrations.mcp.servers.github.command', 'srv'],
      { home },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `omnipalm: config key "integrations.mcp.servers.github.command" is inside the map integrations.mcp.servers, which is set whole: omnipalm config set integrations.mcp.servers '{"name": {…}}' (see omnipalm config get integrations.mcp.servers --json for its entries)\n`,
    );
    expect(fs.existsSync(home)).toBe(false);
  });

  it('names the key, the expected type and the value given for a wrong type', async () => {
    const original = 'agent:\n  max_iterations: 10\n';
    const home = homeWithConfig(original);
    const result = await runCli(['config', 'set', 'agent.max_iterations', 'lots'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'agent.max_iterations: expected a whole number of steps, got "lots"',
    );
    const bool = await runCli(['config', 'set', 'security.read_only', 'maybe'], { home });
    expect(bool.code).toBe(2);
    expect(bool.stderr).toContain('security.read_only: expected boolean, got "maybe"');
    expect(fs.readFileSync(path.join(home, 'config.yaml'), 'utf8')).toBe(original);
  });

  it('reports broken YAML with file:line:column and leaves the file untouched', async () => {
    const broken = 'security:\n  allowed_paths: [~/projects\n  read_only: true\n';
    const home = homeWithConfig(broken);
    const file = path.join(home, 'config.yaml');
    for (const args of [
      ['config', 'list'],
      ['config', 'set', 'security.read_only', 'false'],
      ['config', 'validate'],
    ]) {
      const result = await runCli(args, { home });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^omnipalm: ${file}:\\d+:\\d+: invalid YAML: `));
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(broken);
  });

  it('refuses negative and non-numeric limits', async () => {
    const home = makeTempHome();
    const negative = await runCli(['config', 'set', 'security.rate_limits.emails_per_hour', '-5'], {
      home,
    });
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain(
      'security.rate_limits.emails_per_hour: expected 0 or more emails',
    );
    expect(negative.stderr).toContain('got -5');
    const text = await runCli(
      ['config', 'set', 'security.rate_limits.shell_commands_per_minute', 'ten'],
      { home },
    );
    expect(text.code).toBe(2);
    expect(text.stderr).toContain(
      'shell_commands_per_minute: expected a whole number of shell commands, got "ten"',
    );
    const cost = await runCli(['config', 'set', 'security.stop_on_cost_limit', '-1'], { home });
    expect(cost.code).toBe(2);
    expect(cost.stderr).toContain(
      'security.stop_on_cost_limit: expected an amount of 0 or more USD, got -1',
    );
    expect(fs.existsSync(home)).toBe(false);
  });

  it('refuses unknown operation names in confirm_operations', async () => {
    const home = makeTempHome();
    const result = await runCli(
      ['config', 'set', 'security.confirm_operations', '["delete", "nuke"]'],
      { home },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'security.confirm_operations[1]: expected one of "read", "write", "delete"',
    );
    expect(result.stderr).toContain('got "nuke"');
  });

  it('refuses relative paths in allowed_paths but accepts ~', async () => {
    const home = makeTempHome();
    const relative = await runCli(
      ['config', 'set', 'security.allowed_paths', '["~/ok", "projects"]'],
      { home },
    );
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain(
      'security.allowed_paths[1]: expected an absolute path or one starting with ~/, got "projects"',
    );
    const blocked = await runCli(['config', 'set', 'security.blocked_paths', '["../.ssh"]'], {
      home,
    });
    expect(blocked.code).toBe(2);
    const ok = await runCli(
      ['config', 'set', 'security.allowed_paths', '["~/work", "/srv/data"]'],
      { home },
    );
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('refuses bad security.trusted_paths values and writes nothing', async () => {
    const original = 'security:\n  trusted_paths: [~/notes]\n';
    const home = homeWithConfig(original);
    const file = path.join(home, 'config.yaml');
    for (const [value, message] of [
      [
        '["~/ok", "notes"]',
        'security.trusted_paths[1]: expected an absolute path or one starting with ~/, got "notes"',
      ],
      ['"~/notes"', 'security.trusted_paths: expected a list of paths'],
      ['[42]', 'security.trusted_paths[0]: expected a path, got 42'],
      ['[""]', 'security.trusted_paths[0]: expected a path, got an empty string'],
    ]) {
      const result = await runCli(['config', 'set', 'security.trusted_paths', value!], { home });
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    const ok = await runCli(
      ['config', 'set', 'security.trusted_paths', '["~/notes", "/srv/mine"]'],
      {
        home,
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const get = await runCli(['config', 'get', 'security.trusted_paths', '--json'], { home });
    expect(JSON.parse(get.stdout)).toEqual(['~/notes', '/srv/mine']);
  });

  it('never falls back to defaults when the file is invalid', async () => {
    const home = homeWithConfig('security:\n  read_only: "yes please"\n');
    const list = await runCli(['config', 'list'], { home });
    expect(list.code).toBe(2);
    expect(list.stdout).toBe('');
    expect(list.stderr).toContain(':2:14: security.read_only: expected boolean, got "yes please"');
  });

  it('refuses unparseable values with a hint', async () => {
    const home = makeTempHome();
    const result = await runCli(['config', 'set', 'security.confirm_operations', '["delete"'], {
      home,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'value for security.confirm_operations is not valid YAML or JSON',
    );
  });

  it('answers missing and extra arguments with usage errors', async () => {
    const home = makeTempHome();
    const missing = await runCli(['config', 'set', 'security.read_only'], { home });
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('config set: expected KEY VALUE');
    const extra = await runCli(['config', 'get', 'a', 'b'], { home });
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected argument "b"');
    const option = await runCli(['config', 'list', '--yaml'], { home });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--yaml'");
    const subcommand = await runCli(['config', 'remove'], { home });
    expect(subcommand.code).toBe(2);
    expect(subcommand.stderr).toContain('config: unknown command "remove"');
  });
});

describe.concurrent('config validate', () => {
  it('accepts a valid file given by path and rejects an invalid one', async () => {
    const home = makeTempHome();
    const folder = path.dirname(home);
    const good = path.join(folder, 'good.yaml');
    const bad = path.join(folder, 'bad.yaml');
    fs.writeFileSync(good, 'security:\n  allowed_paths: [~/projects]\n  read_only: true\n');
    fs.writeFileSync(bad, 'security:\n  allowed_paths: [42]\nlogging:\n  max_size: huge\n');
    const ok = await runCli(['config', 'validate', good], { home });
    expect(ok).toMatchObject({ code: 0, stdout: `${good} is valid\n` });
    const result = await runCli(['config', 'validate', bad], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${bad}:2:19: security.allowed_paths[0]: expected a path, got 42`,
    );
    expect(result.stderr).toContain(
      `${bad}:4:13: logging.max_size: expected a size such as "100MB"`,
    );
    const missing = await runCli(['config', 'validate', path.join(folder, 'nope.yaml')], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: cannot read');
  });
});

describe.concurrent('credentials never go into config.yaml', () => {
  // Assembled at run time: no complete key-shaped literal in the repository.
  const anthropicKey = 'sk-' + 'ant-' + 'api03-' + filler(93) + 'AA';
  const slackToken = 'xox' + 'b-' + '1'.repeat(12) + '-' + '2'.repeat(13) + '-' + filler(24);

  it('refuses `config set` with a key as the value and writes nothing', async () => {
    const original = 'llm:\n  model: claude-sonnet-4-5\n';
    const home = homeWithConfig(original);
    const file = path.join(home, 'config.yaml');
    const result = await runCli(['config', 'set', 'llm.model', anthropicKey], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${file}: llm.model: looks like a credential (anthropic-api-key); keys never live in ` +
        'config.yaml — store it with: omnipalm keys set llm_api_key',
    );
    expect(result.stderr).not.toContain(anthropicKey.slice(0, 20));
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    const fresh = makeTempHome();
    expect((await runCli(['config', 'set', 'llm.model', anthropicKey], { home: fresh })).code).toBe(
      2,
    );
    expect(fs.existsSync(fresh)).toBe(false);
  });

  it('fails `config validate` and `config list` on a file holding a key, naming line and column', async () => {
    const text = [
      'llm:',
      '  model: claude-sonnet-4-5',
      '  base_url: https://admin:hunter2hunter2@llm.example.com/v1',
      'secrets:',
      '  slack_token:',
      `    command: ["echo", "${slackToken}"]`,
      '',
    ].join('\n');
    const home = homeWithConfig(text);
    const file = path.join(home, 'config.yaml');
    const result = await runCli(['config', 'validate'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${file}:3:13: llm.base_url: looks like a credential (url-password); keys never live in ` +
        'config.yaml — store it with: omnipalm keys set ' +
        'llm_api_key, jira_token, slack_token or smtp_password',
    );
    expect(result.stderr).toContain(
      `${file}:6:23: secrets.slack_token.command[1]: looks like a credential (slack-token); ` +
        'keys never live in config.yaml — store it with: omnipalm keys set slack_token',
    );
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toContain(slackToken);
    const list = await runCli(['config', 'list'], { home });
    expect(list.code).toBe(2);
    expect(list.stdout).toBe('');
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('accepts look-alikes: model names, URLs without a password, paths, host names, CRLF', async () => {
    const text = [
      'llm:',
      '  model: claude-sonnet-4-5',
      '  base_url: https://llm.example.com:8443/v1/sk-ant-models?api=1',
      'security:',
      '  allowed_paths: [~/projects/sk-proj-notes, /srv/data/ghp_archive]',
      'integrations:',
      '  network:',
      '    allowed_hosts: [api.anthropic.com, hooks.slack.com]',
      '',
    ].join('\r\n');
    const home = homeWithConfig(text);
    const result = await runCli(['config', 'validate'], { home });
    expect(result.code, result.stderr).toBe(0);
    const set = await runCli(['config', 'set', 'llm.model', 'gpt-4o-mini-2024-07-18'], { home });
    expect(set.code, set.stderr).toBe(0);
  });
});
