// The MCP section's logic: the servers map is always set whole, so every change must keep the
// rest of the map as it was; the add form refuses what main would refuse; a review's words.
import { describe, expect, it } from 'vitest';
import {
  annotationClaims,
  approvalText,
  approveLabel,
  approveProblem,
  lineDiff,
  readOnlyInConfig,
  ruleInConfig,
  sandboxText,
  serversMap,
  splitCommandLine,
  stateText,
  withNewServer,
  withReadOnlyTool,
  withServerEnabled,
  withToolRule,
  type McpReview,
  type McpServerView,
  type McpToolReview,
  type NewServerForm,
} from '../../../src-renderer/views/mcpModel';

const servers = {
  github: {
    enabled: true,
    url: 'https://mcp.github.example/mcp',
    hosts: ['mcp.github.example'],
    tools: { search_issues: 'allow', delete_repo: 'deny' },
    read_only_tools: ['search_issues'],
  },
  memory: { enabled: true, command: 'npx', args: ['-y', 'server-memory'], tools: {} },
};

function view(overrides: Partial<McpServerView> = {}): McpServerView {
  return {
    name: 'memory',
    enabled: true,
    kind: 'stdio',
    target: 'npx -y server-memory',
    hosts: [],
    rules: {},
    readOnlyTools: [],
    resources: false,
    prompts: false,
    state: 'idle',
    restarts: 0,
    sandboxed: true,
    approvedTools: [],
    approval: 'never_reviewed',
    ...overrides,
  };
}

function tool(overrides: Partial<McpToolReview> = {}): McpToolReview {
  return {
    name: 'read_graph',
    status: 'new',
    description: { text: 'Read the graph', flags: [] },
    inputSchema: { type: 'object' },
    rule: 'ask',
    readOnly: false,
    ...overrides,
  };
}

function review(tools: McpToolReview[]): McpReview {
  return { server: view(), tools, listing: 'f'.repeat(64), pending: true };
}

describe('the servers map, set whole', () => {
  it('reads only object entries of the configured map', () => {
    expect(serversMap(undefined)).toEqual({});
    expect(serversMap([1])).toEqual({});
    expect(Object.keys(serversMap({ ...servers, broken: 'x' }))).toEqual(['github', 'memory']);
  });

  it('sets one rule and keeps every other server, rule and key', () => {
    const next = withToolRule(servers, 'github', 'create_issue', 'ask');
    expect(next['github']).toEqual({
      ...servers.github,
      tools: { search_issues: 'allow', delete_repo: 'deny', create_issue: 'ask' },
    });
    expect(next['memory']).toBe(servers.memory);
    // The input map is not changed: the view keeps showing what is saved until main answers.
    expect(servers.github.tools).toEqual({ search_issues: 'allow', delete_repo: 'deny' });
    expect(ruleInConfig(next, 'github', 'create_issue')).toBe('ask');
    expect(ruleInConfig(next, 'github', 'delete_repo')).toBe('deny');
    expect(ruleInConfig(next, 'github', 'unlisted')).toBe('ask');
    expect(ruleInConfig(next, 'nope', 'x')).toBe('ask');
  });

  it('never reads a rule or a server off the prototype', () => {
    expect(ruleInConfig(servers, 'github', 'constructor')).toBe('ask');
    expect(ruleInConfig(servers, '__proto__', 'x')).toBe('ask');
    expect(readOnlyInConfig(servers, 'toString', 'x')).toBe(false);
  });

  it('marks a tool read-only and unmarks it, once', () => {
    const marked = withReadOnlyTool(servers, 'github', 'list_prs', true);
    expect(marked['github']!['read_only_tools']).toEqual(['search_issues', 'list_prs']);
    expect(readOnlyInConfig(marked, 'github', 'list_prs')).toBe(true);
    const again = withReadOnlyTool(marked, 'github', 'list_prs', true);
    expect(again['github']!['read_only_tools']).toEqual(['search_issues', 'list_prs']);
    const unmarked = withReadOnlyTool(marked, 'github', 'search_issues', false);
    expect(unmarked['github']!['read_only_tools']).toEqual(['list_prs']);
  });

  it('switches a server off without touching the rest', () => {
    const next = withServerEnabled(servers, 'memory', false);
    expect(next['memory']).toEqual({ ...servers.memory, enabled: false });
    expect(next['github']).toBe(servers.github);
  });
});

describe('the add-server form', () => {
  it('splits a command line into argv as a shell would, without a shell', () => {
    expect(splitCommandLine('npx -y @modelcontextprotocol/server-memory')).toEqual([
      'npx',
      '-y',
      '@modelcontextprotocol/server-memory',
    ]);
    expect(splitCommandLine(`node "/opt/my servers/a.js" --name 'x y' a\\ b ""`)).toEqual([
      'node',
      '/opt/my servers/a.js',
      '--name',
      'x y',
      'a b',
      '',
    ]);
    // Shell syntax stays literal text: nothing here is ever run by a shell.
    expect(splitCommandLine('srv; rm -rf ~ $(id)')).toEqual(['srv;', 'rm', '-rf', '~', '$(id)']);
    expect(splitCommandLine('node "open')).toBeUndefined();
    expect(splitCommandLine('   ')).toEqual([]);
  });

  it('adds a command server with its hosts, keeping the others', () => {
    const result = withNewServer(servers, {
      name: 'files',
      kind: 'stdio',
      target: ' npx -y @modelcontextprotocol/server-filesystem /srv ',
      hosts: 'registry.npmjs.org, example.com  ',
    });
    expect(result).toEqual({
      servers: {
        ...servers,
        files: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv'],
          hosts: ['registry.npmjs.org', 'example.com'],
        },
      },
    });
  });

  it('adds a URL server', () => {
    const result = withNewServer(
      {},
      {
        name: 'remote',
        kind: 'http',
        target: 'https://mcp.example.com/mcp',
        hosts: '',
      },
    );
    expect(result).toEqual({
      servers: { remote: { url: 'https://mcp.example.com/mcp', hosts: [] } },
    });
  });

  it.each([
    [{ name: '' }, /Enter a name/],
    [{ name: 'my_db' }, /not a server name.*no _/],
    [{ name: 'Github' }, /not a server name/],
    [{ name: 'github' }, /exists already/],
    [{ name: 'ok', target: '' }, /Enter the command/],
    [{ name: 'ok', target: 'node "x' }, /quote left open/],
    [{ name: 'ok', kind: 'http' as const, target: 'mcp.example.com' }, /URL, starting with https/],
  ])('refuses %j before asking main', (form: Partial<NewServerForm>, problem) => {
    const blank: NewServerForm = { name: 'x', kind: 'stdio', target: 'srv', hosts: '' };
    const result = withNewServer(servers, { ...blank, ...form });
    expect('problem' in result && result.problem).toMatch(problem);
  });
});

describe('what a server and its review say', () => {
  it('flags changed and unreviewed tools in the servers list', () => {
    expect(approvalText(view({ approval: 'changed', approvedTools: ['a'] }))).toEqual({
      text: 'tools changed — review',
      attention: true,
    });
    expect(approvalText(view())).toEqual({
      text: 'not reviewed — review its tools',
      attention: true,
    });
    expect(approvalText(view({ approval: 'approved', approvedTools: ['a', 'b'] }))).toEqual({
      text: '2 tools approved',
      attention: false,
    });
  });

  it('says where a server runs and warns when it is unsandboxed', () => {
    expect(sandboxText(view())).toEqual({ text: 'sandboxed', warning: false });
    expect(sandboxText(view({ sandboxed: false, warning: 'security.sandbox is off' }))).toEqual({
      text: 'security.sandbox is off',
      warning: true,
    });
    expect(sandboxText(view({ kind: 'http', sandboxed: false })).warning).toBe(false);
    expect(stateText(view({ state: 'running', restarts: 2 }))).toBe('running (restarted 2×)');
  });

  it('counts what an approval pins: every listed tool, not the removed ones', () => {
    const listing = review([
      tool({ name: 'a', status: 'approved' }),
      tool({ name: 'b', status: 'changed' }),
      tool({ name: 'c', status: 'new' }),
      tool({ name: 'gone', status: 'removed' }),
    ]);
    expect(approveLabel(listing)).toBe('Approve 3 tools');
    expect(approveLabel(review([tool()]))).toBe('Approve 1 tool');
    expect(approveProblem(listing)).toBeUndefined();
    expect(approveProblem(review([tool({ name: 'twin', status: 'duplicated' })]))).toMatch(
      /lists twin more than once/,
    );
  });

  it('shows annotations as claims, whatever they are', () => {
    expect(
      annotationClaims({
        readOnlyHint: true,
        destructiveHint: false,
        title: 'Delete everything',
        openWorldHint: true,
        custom: { x: 1 },
      }),
    ).toEqual([
      'read-only hint',
      'destructive hint: false',
      'title "Delete everything"',
      'open-world hint',
      'custom: {"x":1}',
    ]);
    expect(annotationClaims(undefined)).toEqual([]);
    expect(annotationClaims({ readOnlyHint: 'yes' })).toEqual(['readOnlyHint: "yes"']);
  });

  it('diffs what was approved against what is listed now, line by line', () => {
    const before = JSON.stringify(
      { type: 'object', properties: { q: { type: 'string' } } },
      null,
      2,
    );
    const after = JSON.stringify(
      { type: 'object', properties: { q: { type: 'string' }, to: { type: 'string' } } },
      null,
      2,
    );
    const diff = lineDiff(before, after);
    // Read one way it is the approved text, the other way the text now.
    const side = (kind: 'removed' | 'added') =>
      diff
        .filter((line) => line.kind !== kind)
        .map((line) => line.text)
        .join('\n');
    expect(side('added')).toBe(before);
    expect(side('removed')).toBe(after);
    // A property added is three lines added, nothing removed.
    expect(diff.filter((line) => line.kind === 'added')).toHaveLength(3);
    expect(diff.filter((line) => line.kind === 'removed')).toHaveLength(0);
    expect(diff).toContainEqual({ kind: 'added', text: '    "to": {' });
    expect(lineDiff('same', 'same')).toEqual([{ kind: 'same', text: 'same' }]);
    // Too big to compare: all of before removed, all of after added, still complete.
    const huge = Array.from({ length: 600 }, (_, index) => `line ${index}`).join('\n');
    const big = lineDiff(huge, `${huge}\nmore`);
    expect(big.filter((line) => line.kind === 'removed')).toHaveLength(600);
    expect(big.filter((line) => line.kind === 'added')).toHaveLength(601);
  });
});
