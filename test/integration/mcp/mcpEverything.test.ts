// The reference server that does everything MCP can (server-everything from the npm
// registry), through the core: over stdio in the bubblewrap sandbox and over Streamable HTTP
// with a header secret. Tools with progress, images and errors; resources and prompts only
// when the user switched them on; a server's environment holds only what the user gave it.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentCore } from '../../../src-main/agent/core.js';
import type { ModelProvider, TurnResult } from '../../../src-main/agent/modelProvider.js';
import { sandboxAvailability } from '../../../src-main/tools/shell/sandbox.js';
import { makeCoreHome } from '../../support/coreHome.js';
import { serverBin } from '../../support/mcp/serverBin.js';

const EVERYTHING = serverBin('server-everything');
const USAGE = { input_tokens: 10, output_tokens: 5 };
const TOKEN = 'mcp-header-token-4f1c9a7e2b';

function scripted(turns: TurnResult[]) {
  const results: string[] = [];
  const offered: string[][] = [];
  const provider: ModelProvider = {
    name: 'anthropic',
    model: 'claude-sonnet-4-6',
    turn(request) {
      offered.push(request.tools.map((tool) => tool.name));
      const last = request.messages.at(-1);
      if (last && last.role === 'user' && Array.isArray(last.content)) {
        results.push(JSON.stringify(last.content));
      }
      const next = turns.shift();
      if (!next) throw new Error('the test model has no more turns');
      return Promise.resolve(next);
    },
  };
  return { provider, results, offered };
}
const call = (name: string, input: unknown, id: string): TurnResult => ({
  content: [{ type: 'tool_use', id, name, input }],
  stopReason: 'tool_use',
  usage: USAGE,
});
const answer: TurnResult = {
  content: [{ type: 'text', text: 'done' }],
  stopReason: 'end_turn',
  usage: USAGE,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let core: AgentCore;
let http: ChildProcess | undefined;
let root: string;

beforeAll(async () => {
  const availability = await sandboxAvailability();
  expect(availability, availability.detail).toMatchObject({ available: true });
  const port = await freePort();
  http = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Ready when it says it listens (on stderr).
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    http!.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('listening on port')) resolve();
    });
    http!.once('exit', (code) => reject(new Error(`server-everything exited ${code}: ${seen}`)));
  });
  const made = makeCoreHome(
    'omnipalm-mcp-everything-',
    {
      security: { blocked_paths: [], require_confirmation: false, sandbox: 'required' },
      integrations: {
        mcp: {
          enabled: true,
          servers: {
            everything: {
              command: process.execPath,
              args: [EVERYTHING, 'stdio'],
              env: { GIVEN_TOKEN: 'mcp_given' },
              tools: {
                echo: 'allow',
                'get-env': 'allow',
                'get-tiny-image': 'allow',
                'get-sum': 'allow',
                'trigger-long-running-operation': 'allow',
              },
              resources: true,
              prompts: true,
            },
            remote: {
              url: `http://127.0.0.1:${port}/mcp`,
              headers: { Authorization: 'mcp_remote_token' },
              tools: { echo: 'allow' },
            },
          },
        },
      },
    },
    'omnipalm',
  );
  root = made.root;
  core = await AgentCore.open({
    home: made.home,
    homeDir: root,
    env: {
      HOME: root,
      PATH: '/usr/bin:/bin',
      OMNIPALM_MCP_GIVEN: 'given-secret-value-93b1',
      OMNIPALM_MCP_REMOTE_TOKEN: TOKEN,
      OMNIPALM_LLM_API_KEY: 'sk-ant-never-for-servers-0000000000',
    },
  });
  await core.approveMcpServer('everything');
}, 60_000);

afterAll(async () => {
  await core?.close();
  http?.kill();
});

describe('server-everything over stdio, sandboxed', () => {
  it('runs tools: text, an image left out, progress, a tool error', async () => {
    const echo = await core.callMcpTool('everything', 'echo', { message: 'hello' });
    expect(echo).toMatchObject({ status: 'ok' });
    expect(echo.text).toContain('hello');
    const image = await core.callMcpTool('everything', 'get-tiny-image', {});
    expect(image.status).toBe('ok');
    expect(image.text).toMatch(/\[image image\/png, \d+ bytes not shown\]/);
    expect(JSON.stringify(image.result)).not.toMatch(/iVBOR/);
    const long = await core.callMcpTool('everything', 'trigger-long-running-operation', {
      duration: 0.3,
      steps: 3,
    });
    expect(long.status).toBe('ok');
    const bad = await core.callMcpTool('everything', 'get-sum', { a: 'one', b: 2 });
    expect(bad.status).toBe('error');
    expect(bad.text).toMatch(/get-sum/);
  }, 30_000);

  it('gives the server only the secrets named for it, never OmniPalm’s own', async () => {
    const env = await core.callMcpTool('everything', 'get-env', {});
    expect(env.status).toBe('ok');
    // The value the server was given comes back redacted; the model's key never reached it.
    expect(env.text).toContain('GIVEN_TOKEN');
    expect(env.text).not.toContain('given-secret-value-93b1');
    expect(env.text).not.toContain('OMNIPALM_');
    expect(env.text).not.toContain('sk-ant-never-for-servers');
  });

  it('offers resources and prompts only when switched on, as untrusted content', async () => {
    const { provider, results } = scripted([
      call('mcpres_everything_list', {}, 'toolu_1'),
      call(
        'mcpres_everything_read',
        { uri: 'demo://resource/static/document/architecture.md' },
        'toolu_2',
      ),
      call('mcpprompt_everything_get', { name: 'simple-prompt' }, 'toolu_3'),
      answer,
    ]);
    const outcome = await core.runTask('look around', { provider });
    expect(outcome.status).toBe('done');
    expect(results[0]).toContain('demo://resource/static/document/');
    expect(results[1]).toMatch(
      /\[resource demo:\/\/resource\/static\/document\/architecture\.md\]/,
    );
    expect(results[2]).toContain('This is a simple prompt without arguments.');
    expect(outcome.untrustedSources).toEqual(
      expect.arrayContaining(['mcp.everything.resources/list', 'mcp.everything.prompts/get']),
    );
    // The HTTP server did not switch them on: not offered.
    const names = scripted([answer]);
    await core.runTask('hi', { provider: names.provider });
    expect(names.offered[0]).toEqual(
      expect.arrayContaining(['mcpres_everything_read', 'mcpprompt_everything_get']),
    );
    expect(names.offered[0]!.filter((name) => /^mcp(res|prompt)_remote_/.test(name))).toEqual([]);
  });
});

describe('server-everything over Streamable HTTP', () => {
  it('connects with the header secret, and its calls ask after untrusted content', async () => {
    const review = await core.reviewMcpServer('remote');
    expect(review.server).toMatchObject({ kind: 'http', approval: 'never_reviewed' });
    await core.approveMcpServer('remote', { listing: review.listing });
    const echo = await core.callMcpTool('remote', 'echo', { message: 'over http' });
    expect(echo).toMatchObject({ status: 'ok' });
    expect(echo.text).toContain('over http');
    // In a task that already read untrusted content, a remote server's tool asks (it can
    // carry data out); with nobody to ask, it is refused.
    const { provider, results } = scripted([
      call('mcp_everything_echo', { message: 'first' }, 'toolu_1'),
      call('mcp_remote_echo', { message: 'second' }, 'toolu_2'),
      answer,
    ]);
    const outcome = await core.runTask('two calls', { provider });
    expect(outcome.status).toBe('denied');
    expect(results[1]).toMatch(/untrusted content.*can send data out/);
  }, 30_000);
});
