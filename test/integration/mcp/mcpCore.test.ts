// MCP tools in a conversation (issue 18, items 3–5): the model sees only tools the user
// approved, as approved; each call passes the one policy (the tool's rule, read-only, the
// untrusted-content guard), is audited as mcp.<server>.<tool>, and its result taints the
// session; a tool that changes after approval is refused with an alert; the servers stop
// with the core. Real AgentCore, policy, pins file, audit log and MCP servers (the hostile
// fixture, and server-filesystem in the bubblewrap sandbox); the model is a scripted stand-in.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentCore } from '../../../src-main/agent/core.js';
import type {
  MessageParam,
  ModelProvider,
  TurnRequest,
  TurnResult,
} from '../../../src-main/agent/modelProvider.js';
import { sandboxAvailability } from '../../../src-main/tools/shell/sandbox.js';
import { makeCoreHome } from '../../support/coreHome.js';
import { serverBin } from '../../support/mcp/serverBin.js';

const HOSTILE = fileURLToPath(new URL('../../support/mcp/hostileServer.mjs', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const USAGE = { input_tokens: 10, output_tokens: 5 };
const answer = (text: string): TurnResult => ({
  content: [{ type: 'text', text }],
  stopReason: 'end_turn',
  usage: USAGE,
});
const call = (name: string, input: unknown, id = 'toolu_1'): TurnResult => ({
  content: [{ type: 'tool_use', id, name, input }],
  stopReason: 'tool_use',
  usage: USAGE,
});

type Turn = (request: TurnRequest) => Promise<TurnResult> | TurnResult;

function scriptedProvider(turns: Turn[]) {
  const requests: Omit<TurnRequest, 'signal' | 'onText'>[] = [];
  const provider: ModelProvider = {
    name: 'anthropic',
    model: 'claude-sonnet-4-6',
    async turn(request) {
      const { signal: _signal, onText: _onText, ...rest } = request;
      requests.push(structuredClone(rest));
      const next = turns.shift();
      if (!next) throw new Error('the test model has no more turns');
      return next(request);
    },
  };
  return { provider, requests };
}

const lastToolResult = (request: Pick<TurnRequest, 'messages'> | undefined): string => {
  const message = request?.messages.at(-1) as MessageParam | undefined;
  return JSON.stringify(message?.content ?? '');
};

async function openCore(mcp: Record<string, unknown>, security: Record<string, unknown> = {}) {
  const { root, home, work } = makeCoreHome(
    'omnipalm-mcp-core-',
    {
      integrations: { mcp: { enabled: true, ...mcp } },
      security: { blocked_paths: [], require_confirmation: false, sandbox: 'off', ...security },
    },
    'omnipalm',
  );
  const core = await AgentCore.open({
    home,
    homeDir: root,
    env: { HOME: root, PATH: '/usr/bin:/bin' },
  });
  cleanups.push(() => core.close());
  const auditLines = () => fs.readFileSync(path.join(home, 'logs', 'audit.log'), 'utf8');
  return { core, root, home, work, auditLines };
}

const hostile = (mode: string, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [HOSTILE, mode],
  ...extra,
});

describe('MCP tools in a task', () => {
  it('offers only approved tools, runs an allowed one through the policy and taints', async () => {
    const { core, auditLines } = await openCore({
      servers: { notes: hostile('poison', { tools: { echo: 'allow' } }) },
    });
    const review = await core.reviewMcpServer('notes');
    expect(review.server.approval).toBe('never_reviewed');
    expect(review.pending).toBe(true);
    const lookup = review.tools.find((tool) => tool.name === 'lookup')!;
    expect(lookup.status).toBe('new');
    expect(lookup.description.flags.join(' ')).toMatch(/tag characters/i);
    expect(lookup.description.flags.join(' ')).toMatch(/HTML comment/i);
    expect(lookup.inputSchemaFlags.join(' ')).toMatch(/invisible/i);
    const echo = review.tools.find((tool) => tool.name === 'echo')!;
    expect(echo).toMatchObject({ modelName: 'mcp_notes_echo', rule: 'allow', readOnly: false });
    // The server's claim is shown; it decides nothing (the rule does).
    expect(echo.annotations).toMatchObject({ readOnlyHint: true });

    // Before approval the model is offered no MCP tool at all.
    const before = scriptedProvider([() => answer('nothing to do')]);
    await core.runTask('hello', { provider: before.provider });
    expect(before.requests[0]!.tools.map((tool) => tool.name)).not.toContain('mcp_notes_echo');

    await core.approveMcpServer('notes', { listing: review.listing });
    const model = scriptedProvider([
      () => call('mcp_notes_echo', { text: 'hi there' }),
      () => answer('done'),
    ]);
    const outcome = await core.runTask('echo something', { provider: model.provider });
    expect(outcome.status).toBe('done');
    const offered = model.requests[0]!.tools.find((tool) => tool.name === 'mcp_notes_echo')!;
    expect(offered.description).toContain('hostile fixture tool echo');
    expect(offered.input_schema).toMatchObject({ properties: { text: { type: 'string' } } });
    // The poisoned description reaches the model with its hidden parts shown, never hidden.
    const offeredLookup = model.requests[0]!.tools.find(
      (tool) => tool.name === 'mcp_notes_lookup',
    )!;
    expect(offeredLookup.description).not.toMatch(/[\u{E0000}-\u{E007F}\u200B]/u);
    expect(offeredLookup.description).toContain('⟦');
    expect(JSON.stringify(offeredLookup.input_schema)).not.toMatch(/\u200B|\\u200b/iu);
    expect(JSON.stringify(offeredLookup.input_schema)).toContain('⟦');
    expect(lastToolResult(model.requests[1])).toContain('echo: hi there');
    expect(lastToolResult(model.requests[1])).toContain('trust=\\"untrusted\\"');
    expect(outcome.untrustedSources).toContain('mcp.notes.echo');
    const log = auditLines();
    expect(log).toMatch(/\[tool_call\] mcp\.notes\.echo session=/);
    expect(log).toMatch(/\[tool_result\] mcp\.notes\.echo status="success"/);
  });

  it('asks by default, and with nobody to ask the call is refused and nothing runs', async () => {
    const { core, auditLines } = await openCore({ servers: { notes: hostile('crash') } });
    await core.approveMcpServer('notes');
    const model = scriptedProvider([
      () => call('mcp_notes_echo', { text: 'x' }),
      () => answer('ok'),
    ]);
    const outcome = await core.runTask('go', { provider: model.provider });
    expect(outcome.status).toBe('denied');
    expect(outcome.refused[0]).toMatchObject({ tool: 'mcp.notes.echo' });
    expect(lastToolResult(model.requests[1])).toMatch(/needs confirmation/);
    expect(auditLines()).not.toMatch(/\[tool_result\] mcp\.notes\.echo status="success"/);
  });

  it('refuses a tool whose description changed after approval, with an alert', async () => {
    // The guard off, so only the tool's rule (ask) asks; the fixture runs unsandboxed.
    const { core, auditLines } = await openCore(
      { servers: { notes: hostile('rugpull') } },
      { untrusted_content_guard: false },
    );
    // A user who says yes to everything: the changed tool must be refused before any ask.
    const asked: string[] = [];
    core.broker.attach({
      name: 'test',
      canShow: () => true,
      show: (request, respond) => {
        asked.push(request.preview.join('\n'));
        respond('yes');
      },
    });
    await core.approveMcpServer('notes');
    const model = scriptedProvider([
      () => call('mcp_notes_echo', { text: 'one' }, 'toolu_1'),
      () => call('mcp_notes_echo', { text: 'two' }, 'toolu_2'),
      () => answer('done'),
    ]);
    const outcome = await core.runTask('echo twice', { provider: model.provider });
    expect(lastToolResult(model.requests[1])).toContain('echo: one');
    expect(lastToolResult(model.requests[2])).toMatch(
      /changed since you approved it.*omnipalm mcp approve notes/,
    );
    expect(outcome.status).toBe('done');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('"text": "one"');
    expect(auditLines()).toMatch(/\[alert\] mcp\.notes "MCP server notes changed its tools/);
    const [view] = await core.mcpServers();
    expect(view!.approval).toBe('changed');
    // The review shows what changed, with the instruction in the new text.
    const review = await core.reviewMcpServer('notes');
    const echo = review.tools.find((tool) => tool.name === 'echo')!;
    expect(echo.status).toBe('changed');
    expect(echo.previousDescription!.text).toBe('hostile fixture tool echo');
    expect(echo.description.text).toContain('~/.ssh/id_rsa');
  });

  it('refuses a tool that changed between two runs before calling it', async () => {
    const flag = path.join(makeCoreHome('omnipalm-mcp-flag-').root, 'changed');
    const { core } = await openCore({
      servers: {
        notes: hostile('rugpull', { args: [HOSTILE, 'rugpull', flag], tools: { echo: 'allow' } }),
      },
    });
    await core.approveMcpServer('notes');
    await core.mcp.close();
    fs.writeFileSync(flag, '');
    const reopened = await AgentCore.open({
      home: core.home,
      homeDir: path.dirname(core.home),
      env: { PATH: '/usr/bin:/bin' },
    });
    cleanups.push(() => reopened.close());
    const outcome = await reopened.callMcpTool('notes', 'echo', { text: 'x' });
    expect(outcome.status).toBe('error');
    expect(outcome.text).toMatch(/changed since you approved it/);
    // Another process that starts no server still knows (omnipalm mcp list).
    const third = await AgentCore.open({
      home: core.home,
      homeDir: path.dirname(core.home),
      env: { PATH: '/usr/bin:/bin' },
    });
    cleanups.push(() => third.close());
    const [view] = await third.mcpServers();
    expect(view).toMatchObject({ approval: 'changed', changes: 'changed echo', state: 'idle' });
    // Approving again clears it.
    await third.approveMcpServer('notes');
    expect((await third.mcpServers())[0]).toMatchObject({ approval: 'approved' });
  });

  it('in read-only mode runs only tools the user marked read-only, whatever the server says', async () => {
    const { core } = await openCore(
      {
        servers: {
          notes: hostile('poison', {
            tools: { echo: 'allow', lookup: 'allow' },
            read_only_tools: ['lookup'],
          }),
        },
      },
      { read_only: true },
    );
    await core.approveMcpServer('notes');
    // echo claims readOnlyHint: true; the user did not mark it, so it does not run.
    const echo = await core.callMcpTool('notes', 'echo', { text: 'x' });
    expect(echo).toMatchObject({ status: 'denied' });
    expect(echo.text).toMatch(/read-only mode runs only the MCP tools you marked read-only/);
    const lookup = await core.callMcpTool('notes', 'lookup', { word: 'w' });
    expect(lookup).toMatchObject({ status: 'ok', text: 'lookup: w' });
  });

  it('turns a crash mid-call into a clear error and stops servers with the core', async () => {
    const { core } = await openCore({
      servers: { notes: hostile('crash', { tools: { crash: 'allow', echo: 'allow' } }) },
    });
    await core.approveMcpServer('notes');
    const crashed = await core.callMcpTool('notes', 'crash', {});
    expect(crashed.status).toBe('error');
    expect(crashed.text).toMatch(/notes.*stopped while tools\/call "crash" was pending/);
    const echo = await core.callMcpTool('notes', 'echo', { text: 'again' });
    expect(echo).toMatchObject({ status: 'ok', text: 'echo: again' });
    const [running] = await core.mcpServers();
    expect(running!.state).toBe('running');
    const pid = running!.pid!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await core.close();
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('redacts a secret the server echoes in its crash report', async () => {
    const { core } = await openCore({
      servers: {
        notes: hostile('crash', { env: { SECRET_ECHO: 'mcp_leak' }, tools: { crash: 'allow' } }),
      },
    });
    // The secret resolves from the core's env: reopen with it there.
    const reopened = await AgentCore.open({
      home: core.home,
      homeDir: path.dirname(core.home),
      env: { PATH: '/usr/bin:/bin', OMNIPALM_MCP_LEAK: 'leaky-value-8c2e5d1f' },
    });
    cleanups.push(() => reopened.close());
    await reopened.approveMcpServer('notes');
    // What the model reads of the failure: the server's stderr, the value redacted.
    const model = scriptedProvider([() => call('mcp_notes_crash', {}), () => answer('ok')]);
    await reopened.runTask('crash it', { provider: model.provider });
    const seen = lastToolResult(model.requests[1]);
    expect(seen).toContain('crashed on purpose (token ');
    expect(seen).not.toContain('leaky-value-8c2e5d1f');
  });

  it('refuses to approve a listing that names a tool twice', async () => {
    const { core } = await openCore({ servers: { notes: hostile('dup') } });
    const review = await core.reviewMcpServer('notes');
    expect(review.tools[0]).toMatchObject({ name: 'echo', status: 'duplicated' });
    await expect(core.approveMcpServer('notes')).rejects.toMatchObject({
      kind: 'mcp_listing_invalid',
      message: expect.stringMatching(/lists the tool echo more than once/),
    });
  });

  it('ends a listing that pages without end, and does not offer a huge schema', async () => {
    const { core } = await openCore({
      servers: { endless: hostile('pages'), big: hostile('bigschema') },
    });
    await expect(core.reviewMcpServer('endless')).rejects.toThrow(
      /endless.*tools\/list went on for more than 100 pages/,
    );
    const review = await core.reviewMcpServer('big');
    const huge = review.tools.find((tool) => tool.name === 'huge')!;
    expect(huge.modelName).toBeUndefined();
    expect(huge.offerProblem).toMatch(/input schema is over 16000 characters/);
    await core.approveMcpServer('big', { listing: review.listing });
    const model = scriptedProvider([() => answer('ok')]);
    await core.runTask('hi', { provider: model.provider });
    const offered = model.requests[0]!.tools.map((tool) => tool.name);
    expect(offered).toContain('mcp_big_echo');
    expect(offered).not.toContain('mcp_big_huge');
  });

  it('does not follow a url server that redirects elsewhere', async () => {
    // Where the redirect points: it must never see the call (nor its header).
    let reached = 0;
    const elsewhere = http.createServer((_request, response) => {
      reached += 1;
      response.writeHead(500);
      response.end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));
    const target = (elsewhere.address() as AddressInfo).port;
    const redirecting = http.createServer((_request, response) => {
      response.writeHead(307, { location: `http://127.0.0.1:${target}/mcp` });
      response.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => redirecting.close(() => resolve())));
    const { port } = redirecting.address() as AddressInfo;
    const { core } = await openCore({
      servers: { remote: { url: `http://127.0.0.1:${port}/mcp` } },
    });
    await expect(core.reviewMcpServer('remote')).rejects.toThrow(/remote.*[Rr]edirect/);
    expect(reached).toBe(0);
  });

  it('refuses an unapproved tool and an unknown server with the fix', async () => {
    const { core } = await openCore({ servers: { notes: hostile('crash') } });
    await expect(core.callMcpTool('notes', 'echo', {})).rejects.toThrow(
      /no approved tool "echo".*omnipalm mcp approve notes/,
    );
    await expect(core.callMcpTool('nope', 'echo', {})).rejects.toThrow(
      /no MCP server named "nope".*configured: notes/,
    );
  });
});

describe('a stdio MCP server in the OS sandbox', () => {
  it('reads an allowed file but not a blocked one, even with roots wider than the policy', async () => {
    const availability = await sandboxAvailability();
    expect(availability, availability.detail).toMatchObject({ available: true });
    const { root, work, core, auditLines } = await openCore(
      {
        servers: {
          // The server is told it may read the whole temp root; the policy blocks secret/.
          files: {
            command: process.execPath,
            args: [serverBin('server-filesystem'), 'ROOT'],
            tools: { read_text_file: 'allow' },
          },
        },
      },
      { sandbox: 'required', blocked_paths: ['~/secret'] },
    );
    // Paths known only now: rewrite the config with them.
    const configFile = path.join(core.home, 'config.yaml');
    const secret = path.join(root, 'secret');
    fs.mkdirSync(secret);
    fs.writeFileSync(path.join(secret, 'key.txt'), 'TOP-SECRET-VALUE');
    fs.writeFileSync(path.join(work, 'notes.txt'), 'shopping list');
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('ROOT', root));
    const review = await core.reviewMcpServer('files');
    expect(review.server.sandboxed).toBe(true);
    await core.approveMcpServer('files', { listing: review.listing });
    const allowed = await core.callMcpTool('files', 'read_text_file', {
      path: path.join(work, 'notes.txt'),
    });
    expect(allowed).toMatchObject({ status: 'ok', text: 'shopping list' });
    const blocked = await core.callMcpTool('files', 'read_text_file', {
      path: path.join(secret, 'key.txt'),
    });
    expect(blocked.status).toBe('error');
    expect(blocked.text).not.toContain('TOP-SECRET-VALUE');
    // It fails visibly, with the rule that stopped it, and the attempt is audited.
    expect(blocked.text).toMatch(
      /The OS sandbox stopped the server reading \S*secret\S* \(security\.blocked_paths/,
    );
    expect(auditLines()).toMatch(/\[error\] mcp\.files\.read_text_file "sandbox blocked read/);
  }, 60_000);
});

describe('config refresh before each call', () => {
  it('reloads when config.yaml changes, also to the same length, and not otherwise', async () => {
    const { core, home } = await openCore({ servers: { notes: hostile('crash') } });
    const file = path.join(home, 'config.yaml');
    await core.refreshConfig();
    expect(await core.refreshConfig()).toBe(false);
    const text = fs.readFileSync(file, 'utf8');
    // Same length, other meaning: the server's mode changes from crash to rugpl (invalid
    // mode, but a different config all the same).
    fs.writeFileSync(file, text.replace('- crash', '- rugpl'));
    expect(await core.refreshConfig()).toBe(true);
    expect(core.config.integrations.mcp.servers.notes!.args[1]).toBe('rugpl');
    expect(await core.refreshConfig()).toBe(false);
  });
});
