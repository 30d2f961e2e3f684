// One MCP server connection against real servers from the npm registry, run inside the OS
// sandbox (bubblewrap) with the policy's file rules, and against a hostile server of our own:
// what a server can do wrong (junk, silence, a crash, a call that never ends) must become one
// clear error naming the server, never a hang; a filesystem server given a root wider than
// the policy must still not read a blocked file.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  McpConnection,
  type McpConnectionOptions,
  type McpServerSettings,
} from '../../../src-main/tools/mcp/mcpConnection.js';
import { McpConnectionError } from '../../../src-main/tools/mcp/mcpErrors.js';
import { createMcpLauncher, type McpLauncher } from '../../../src-main/tools/mcp/mcpSandbox.js';
import { sandboxAvailability } from '../../../src-main/tools/shell/sandbox.js';
import {
  descendantsOf,
  makeSandboxTree,
  settingsFor,
  type SandboxTree,
} from '../../security/sandboxFixture.js';
import { serverBin } from '../../support/mcp/serverBin.js';

const HOSTILE = fileURLToPath(new URL('../../support/mcp/hostileServer.mjs', import.meta.url));

let tree: SandboxTree;
let launcher: McpLauncher;
const connections: McpConnection[] = [];

beforeAll(async () => {
  // As the shell's sandbox tests: bubblewrap must really start here (as root too).
  const availability = await sandboxAvailability();
  expect(availability, availability.detail).toMatchObject({ available: true });
  tree = makeSandboxTree();
  launcher = await createMcpLauncher(settingsFor(tree));
  expect(launcher.sandboxed).toBe(true);
});

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
});

function connect(
  settings: Partial<McpServerSettings> & { name: string },
  options: Partial<McpConnectionOptions> = {},
): McpConnection {
  const connection = new McpConnection(
    { args: [], env: {}, headers: {}, hosts: [], command: process.execPath, ...settings },
    { launcher, ...options },
  );
  connections.push(connection);
  return connection;
}

function text(result: { content: unknown[] }): string {
  return result.content.map((part) => (part as { text?: string }).text ?? '').join('\n');
}

async function failure(promise: Promise<unknown>): Promise<McpConnectionError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McpConnectionError);
  return error as McpConnectionError;
}

describe('server-everything, sandboxed', () => {
  let everything: McpConnection;
  beforeAll(() => {
    everything = connect({ name: 'everything', args: [serverBin('server-everything'), 'stdio'] });
  });

  it('starts on first use and lists its tools', async () => {
    expect(everything.status().state).toBe('idle');
    const names = (await everything.listTools()).map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']),
    );
    expect(everything.status()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('calls echo', async () => {
    const result = await everything.callTool('echo', { message: 'hello from omnipalm' });
    expect(text(result)).toBe('Echo: hello from omnipalm');
  });

  it('reports progress of a long call', async () => {
    const progress: number[] = [];
    const result = await everything.callTool(
      'trigger-long-running-operation',
      { duration: 0.4, steps: 3 },
      { onProgress: (report) => progress.push(report.progress) },
    );
    // The last report may race the result (the server does not await it): the earlier ones
    // must have arrived, in order.
    expect(progress.slice(0, 2)).toEqual([1, 2]);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(result.isError).toBeFalsy();
  });

  it("a tool's failure is a result with isError, not an exception", async () => {
    const result = await everything.callTool('echo', { wrong: 1 });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Invalid arguments for tool echo/);
  });
});

describe('server-memory, sandboxed', () => {
  it('creates entities and reads them back from its file in the allowed folder', async () => {
    const memoryFile = path.join(tree.work, 'memory.jsonl');
    const memory = connect({
      name: 'memory',
      args: [serverBin('server-memory')],
      env: { MEMORY_FILE_PATH: memoryFile },
    });
    await memory.callTool('create_entities', {
      entities: [{ name: 'OmniPalm', entityType: 'project', observations: ['speaks MCP'] }],
    });
    const graph = text(await memory.callTool('read_graph', {}));
    expect(graph).toContain('OmniPalm');
    expect(graph).toContain('speaks MCP');
    expect(fs.readFileSync(memoryFile, 'utf8')).toContain('OmniPalm');
  });
});

describe('server-filesystem with a root wider than the policy', () => {
  let files: McpConnection;
  beforeAll(() => {
    fs.writeFileSync(path.join(tree.work, 'notes.txt'), 'allowed notes\n');
    // The whole temp tree, blocked folder included: the server itself would read the secret.
    files = connect({ name: 'files', args: [serverBin('server-filesystem'), tree.root] });
  });

  it('reads an allowed file', async () => {
    const result = await files.callTool('read_text_file', {
      path: path.join(tree.work, 'notes.txt'),
    });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain('allowed notes');
  });

  it('cannot read the blocked file: the sandbox hides it', async () => {
    const result = await files.callTool('read_text_file', { path: tree.secretFile });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain(tree.secret);
    expect(text(result)).toMatch(/ENOENT|no such file/i);
    const listing = text(await files.callTool('list_directory', { path: tree.blocked }));
    expect(listing).not.toContain('secret.txt');
  });

  it('cannot write outside the allowed folder', async () => {
    const target = path.join(tree.outside, 'planted.txt');
    const result = await files.callTool('write_file', { path: target, content: 'x' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/read-only file system|EROFS/i);
    expect(fs.existsSync(target)).toBe(false);
  });
});

describe('a server that needs more than the sandbox allows', () => {
  it('fails visibly at start with the rule in its stderr', async () => {
    const target = path.join(tree.outside, 'startup.txt');
    const greedy = connect({
      name: 'greedy',
      args: ['-e', `require('fs').writeFileSync(${JSON.stringify(target)}, 'x')`],
    });
    const error = await failure(greedy.listTools());
    expect(error.failure).toBe('start');
    expect(error.message).toMatch(/^MCP server "greedy": exited before it finished starting/);
    expect(error.message).toMatch(/EROFS|read-only file system/i);
    expect(fs.existsSync(target)).toBe(false);
  });
});

describe('the hostile server', () => {
  it('junk on stdout: one clear error naming the server', async () => {
    const junk = connect({ name: 'junky', args: [HOSTILE, 'junk'] });
    const error = await failure(junk.listTools());
    expect(error.failure).toBe('junk');
    expect(error.message).toMatch(
      /^MCP server "junky": wrote something that is not an MCP message to stdout/,
    );
  });

  it('no answer to initialize: a timeout error, not a hang', async () => {
    const silent = connect(
      { name: 'silent', args: [HOSTILE, 'hang'] },
      { initializeTimeoutMs: 6000 },
    );
    const error = await failure(silent.listTools());
    expect(error.failure).toBe('initialize_timeout');
    expect(error.message).toMatch(/^MCP server "silent": did not answer initialize within 6 s/);
    expect(error.message).toContain('hostile server started in mode hang');
  });

  it('a crash mid-call fails the call at once; the next use restarts it', async () => {
    const crashy = connect(
      { name: 'crashy', args: [HOSTILE, 'crash'] },
      { backoff: { initialMs: 200 } },
    );
    expect(text(await crashy.callTool('echo', { text: 'one' }))).toBe('echo: one');
    const firstPid = crashy.status().pid;
    const error = await failure(crashy.callTool('crash', {}, { timeoutMs: 60_000 }));
    expect(error.failure).toBe('crash');
    expect(error.message).toMatch(
      /^MCP server "crashy": the server stopped while tools\/call "crash" was pending/,
    );
    expect(error.message).toContain('fatal: hostile server crashed on purpose');
    expect(crashy.status().state).toBe('idle');
    expect(text(await crashy.callTool('echo', { text: 'two' }))).toBe('echo: two');
    expect(crashy.status()).toMatchObject({ state: 'running', restarts: 1 });
    expect(crashy.status().pid).not.toBe(firstPid);
  });

  it('a call past its timeout fails and is cancelled at the server', async () => {
    const slow = connect({ name: 'slow', args: [HOSTILE, 'crash'] });
    const error = await failure(slow.callTool('slow', {}, { timeoutMs: 300 }));
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(
      'MCP server "slow": tools/call "slow" got no answer within 0.3 s and was cancelled',
    );
    expect(JSON.parse(text(await slow.callTool('cancelled', {})))).toHaveLength(1);
  });

  it('an aborted call fails at once and the server is told', async () => {
    const cancellable = connect({ name: 'cancellable', args: [HOSTILE, 'crash'] });
    await cancellable.listTools();
    const controller = new AbortController();
    const pending = cancellable.callTool('slow', {}, { signal: controller.signal });
    setImmediate(() => controller.abort());
    const error = await failure(pending);
    expect(error.failure).toBe('cancelled');
    expect(JSON.parse(text(await cancellable.callTool('cancelled', {})))).toHaveLength(1);
  });

  it("one caller's cancel during the start stops its wait, not the start the others wait for", async () => {
    const shared = connect({ name: 'shared', args: [HOSTILE, 'crash'] });
    const controller = new AbortController();
    const cancelled = failure(shared.listTools({ signal: controller.signal }));
    const patient = shared.callTool('echo', { text: 'still here' });
    controller.abort();
    expect((await cancelled).message).toBe(
      'MCP server "shared": the call was cancelled while the server started',
    );
    expect(text(await patient)).toBe('echo: still here');
  });

  it('close stops the server and its sandbox for good; pending and later calls fail', async () => {
    const closing = connect({ name: 'closing', args: [HOSTILE, 'crash'] });
    await closing.listTools();
    const pid = closing.status().pid!;
    expect(descendantsOf(pid).map(({ name }) => name)).toContain('bwrap');
    const pending = failure(closing.callTool('slow', {}));
    await closing.close();
    expect((await pending).failure).toBe('closed');
    expect(() => process.kill(pid, 0)).toThrow();
    expect(descendantsOf(pid)).toEqual([]);
    expect((await failure(closing.listTools())).failure).toBe('closed');
    expect(closing.status().state).toBe('closed');
  });
});

describe('without the sandbox', () => {
  it('only when security.sandbox is off, and then with a warning', async () => {
    const off = await createMcpLauncher(settingsFor(tree, { mode: 'off' }));
    expect(off.sandboxed).toBe(false);
    expect(off.warning).toMatch(/unsandboxed \(security\.sandbox is off\)/);
    expect(launcher.warning).toBeUndefined();
  });
});

describe('a Streamable HTTP server on loopback', () => {
  let server: ChildProcess;
  let url: string;
  beforeAll(async () => {
    // A free port from the kernel, handed to the server (it takes PORT, not 0).
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    server = spawn(process.execPath, [serverBin('server-everything'), 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    await new Promise<void>((resolve, reject) => {
      server.stderr!.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('listening on port')) resolve();
      });
      server.once('exit', () => reject(new Error(`server-everything exited: ${said}`)));
    });
    url = `http://127.0.0.1:${port}/mcp`;
  });
  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill();
      await once(server, 'exit');
    }
  });

  it('lists tools and calls echo over HTTP', async () => {
    const remote = connect({ name: 'remote', command: undefined, url, hosts: ['127.0.0.1'] });
    expect((await remote.listTools()).map((tool) => tool.name)).toContain('echo');
    expect(text(await remote.callTool('echo', { message: 'over http' }))).toBe('Echo: over http');
  });

  it("refuses a url whose host is not among the server's hosts", async () => {
    const elsewhere = connect({
      name: 'elsewhere',
      command: undefined,
      url,
      hosts: ['example.com'],
    });
    const error = await failure(elsewhere.listTools());
    expect(error.failure).toBe('config');
    expect(error.message).toMatch(
      /^MCP server "elsewhere": url host 127\.0\.0\.1 is not in the server's hosts \(example\.com\)/,
    );
  });
});

describe('when the sandbox cannot start a server', () => {
  it('the server does not start, and the error names it and the reason', async () => {
    const refusing: McpLauncher = {
      sandboxed: true,
      prepare: () =>
        Promise.reject(new Error('MCP servers need the OS sandbox, which cannot run here')),
    };
    const refused = connect({ name: 'refused', args: [HOSTILE, 'crash'] }, { launcher: refusing });
    const error = await failure(refused.listTools());
    expect(error.failure).toBe('start');
    expect(error.message).toBe(
      'MCP server "refused": cannot start: MCP servers need the OS sandbox, which cannot run here',
    );
  });
});
