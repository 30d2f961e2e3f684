import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/config/configError.js';
import { validateConfigData } from '../../../src-main/config/configStore.js';

const source = { file: 'config.yaml' };

/** The config with these MCP servers, or the one-line problems a user would see. */
function load(servers: unknown, mcp: Record<string, unknown> = {}) {
  return validateConfigData({ integrations: { mcp: { enabled: true, ...mcp, servers } } }, source);
}

function problems(servers: unknown): string[] {
  try {
    load(servers);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('integrations.mcp configuration', () => {
  it('is off with no servers and a rate limit of 30 calls a minute by default', () => {
    const config = validateConfigData({}, source);
    expect(config.integrations.mcp).toEqual({ enabled: false, servers: {} });
    expect(config.security.rate_limits.mcp_calls_per_minute).toBe(30);
  });

  it('accepts a stdio server and a Streamable HTTP server, filling in the defaults', () => {
    const config = load({
      github: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-github'],
        cwd: '~/projects',
        env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'mcp_github_token' },
        hosts: ['api.github.com'],
        tools: { search_issues: 'allow', delete_repo: 'deny', 'files.read': 'ask' },
        read_only_tools: ['search_issues'],
      },
      'company-docs': {
        url: 'https://mcp.example.com/mcp',
        headers: { Authorization: 'mcp_company_docs' },
        resources: true,
      },
    });
    expect(config.integrations.mcp.enabled).toBe(true);
    expect(config.integrations.mcp.servers.github).toEqual({
      enabled: true,
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-github'],
      cwd: '~/projects',
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'mcp_github_token' },
      headers: {},
      hosts: ['api.github.com'],
      tools: { search_issues: 'allow', delete_repo: 'deny', 'files.read': 'ask' },
      read_only_tools: ['search_issues'],
      resources: false,
      prompts: false,
    });
    expect(config.integrations.mcp.servers['company-docs']).toMatchObject({
      enabled: true,
      url: 'https://mcp.example.com/mcp',
      args: [],
      env: {},
      hosts: [],
      tools: {},
      read_only_tools: [],
      resources: true,
      prompts: false,
    });
  });

  it('refuses a server with both command and url, saying to remove one', () => {
    expect(problems({ both: { command: 'npx', url: 'https://mcp.example.com/mcp' } })).toEqual([
      'config.yaml: integrations.mcp.servers.both.url: a server has either command (started over stdio) or url (Streamable HTTP), got both; remove one',
    ]);
  });

  it('refuses a server with neither command nor url', () => {
    expect(problems({ empty: { hosts: ['example.com'] } })).toEqual([
      'config.yaml: integrations.mcp.servers.empty: expected command (a program started over stdio) or url (a Streamable HTTP endpoint), got neither; add one',
    ]);
  });

  it('refuses keys meant for the other kind of server instead of ignoring them', () => {
    expect(
      problems({ web: { url: 'https://mcp.example.com', args: ['-v'], env: { A: 'mcp_a' } } }),
    ).toEqual([
      'config.yaml: integrations.mcp.servers.web.args: args is only for command servers, got it on a url server; remove it (a url server gets secrets through headers)',
      'config.yaml: integrations.mcp.servers.web.env: env is only for command servers, got it on a url server; remove it (a url server gets secrets through headers)',
    ]);
    expect(problems({ local: { command: 'srv', headers: { Authorization: 'mcp_x' } } })).toEqual([
      'config.yaml: integrations.mcp.servers.local.headers: headers is only for url servers, got it on a command server; remove it (a command server gets secrets through env)',
    ]);
  });

  it.each([
    ['GitHub', 'uppercase'],
    ['1password', 'a leading digit'],
    ['my.server', 'a dot'],
    ['my_server', 'an underscore, which would make mcp_my_server_tool ambiguous'],
    ['a'.repeat(33), '33 characters'],
    ['', 'an empty name'],
  ])('refuses the server name %j (%s): the model sees it in mcp_<server>_<tool>', (name) => {
    expect(problems({ [name]: { command: 'srv' } })).toEqual([
      `config.yaml: integrations.mcp.servers.${name}: expected a server name (lowercase letters, digits and -, at most 32) such as "github", got ${JSON.stringify(name)}`,
    ]);
  });

  it('accepts server names at the edges of the rule', () => {
    const names = ['a', 'a'.repeat(32), 'my-server-2'];
    const config = load(Object.fromEntries(names.map((name) => [name, { command: 'srv' }])));
    expect(Object.keys(config.integrations.mcp.servers)).toEqual(names);
  });

  it('refuses a secret value pasted into env, without repeating it, and names the fix', () => {
    const token = 'ghp_R4nd0mT0k3nV4lu3xxxxxxxxxxxxxxxxxxxx';
    const lines = problems({ github: { command: 'srv', env: { GITHUB_TOKEN: token } } });
    expect(lines).toEqual([
      'config.yaml: integrations.mcp.servers.github.env.GITHUB_TOKEN: expected a secret name such as "mcp_github_token", got what looks like a secret value (not shown); store it with: omnipalm keys set mcp_github_token, and write that name here instead',
    ]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it("refuses OmniPalm's own keys as a server's secret: a server gets keys stored for it", () => {
    expect(problems({ llm: { command: 'srv', env: { API_KEY: 'llm_api_key' } } })).toEqual([
      'config.yaml: integrations.mcp.servers.llm.env.API_KEY: expected a secret name starting with mcp_, got "llm_api_key"; store the value with: omnipalm keys set mcp_llm_api_key, and write mcp_llm_api_key here',
    ]);
  });

  it('refuses a secret value in a header, and a header name that could smuggle a header', () => {
    expect(
      problems({
        web: {
          url: 'https://mcp.example.com',
          headers: { Authorization: 'Bearer abc123', 'X-A\r\nX-B': 'mcp_x' },
        },
      }),
    ).toEqual([
      'config.yaml: integrations.mcp.servers.web.headers.Authorization: expected a secret name such as "mcp_github_token", got what looks like a secret value (not shown); store it with: omnipalm keys set mcp_github_token, and write that name here instead',
      'config.yaml: integrations.mcp.servers.web.headers.X-A\r\nX-B: expected a header name such as "Authorization", got "X-A\\r\\nX-B"',
    ]);
  });

  it('refuses a bad environment variable name, url scheme, tool rule and cwd', () => {
    expect(
      problems({
        s: {
          command: 'srv',
          cwd: 'relative/folder',
          env: { 'BAD-NAME': 'mcp_x' },
          tools: { search: 'always' },
        },
        f: { url: 'file:///etc/passwd' },
      }),
    ).toEqual([
      'config.yaml: integrations.mcp.servers.s.cwd: expected an absolute path or one starting with ~/, got "relative/folder"',
      'config.yaml: integrations.mcp.servers.s.env.BAD-NAME: expected an environment variable name such as "GITHUB_TOKEN", got "BAD-NAME"',
      'config.yaml: integrations.mcp.servers.s.tools.search: expected one of "allow", "ask", "deny", got "always"',
      'config.yaml: integrations.mcp.servers.f.url: expected an http(s) URL, got "file:///etc/passwd"',
    ]);
  });

  it('refuses a misspelt server key rather than ignoring it', () => {
    const lines = problems({ s: { command: 'srv', read_only_tool: ['x'] } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('integrations.mcp.servers.s.read_only_tool');
  });

  it('refuses a negative MCP rate limit', () => {
    expect(() =>
      validateConfigData({ security: { rate_limits: { mcp_calls_per_minute: -1 } } }, source),
    ).toThrow(/security\.rate_limits\.mcp_calls_per_minute: expected 0 or more MCP tool calls/);
  });
});
