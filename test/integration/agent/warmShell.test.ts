// A task's shell starts with the task, while the model thinks (issue 16, item 4): through the
// real AgentCore, the real policy and the real bubblewrap sandbox. The model is an in-process
// stand-in, so a test can look at the machine in the middle of a model turn. A process is the
// task's when its working folder is inside the task's work folder (a unique temp folder):
// that holds for the pty's bwrap and everything inside the sandbox.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentCore } from '../../../src-main/agent/core.js';
import type {
  ModelProvider,
  TurnRequest,
  TurnResult,
} from '../../../src-main/agent/modelProvider.js';
import { ShellSession } from '../../../src-main/tools/shell/shellSession.js';
import { makeCoreHome } from '../../support/coreHome.js';
import { makeTempFolder } from '../../support/tempFolders.js';

const realPath = process.env.PATH;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  process.env.PATH = realPath;
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Process ids whose working folder is `folder` or inside it. */
function processesIn(folder: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === folder || cwd.startsWith(folder + path.sep)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to look at.
    }
  }
  return found;
}

/** True while the process exists and is not a zombie (init may reap orphans late). */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The text of the tool results the model was sent in its latest turn. */
function lastToolResults(request: TurnRequest): string {
  const last = request.messages.at(-1);
  if (!last || typeof last.content === 'string') return '';
  return last.content
    .map((block) =>
      block.type === 'tool_result' && typeof block.content === 'string' ? block.content : '',
    )
    .join('\n');
}

const USAGE = { input_tokens: 10, output_tokens: 5 };
const shellCall = (command: string): TurnResult => ({
  content: [{ type: 'tool_use', id: 'toolu_1', name: 'shell_exec', input: { command } }],
  stopReason: 'tool_use',
  usage: USAGE,
});
const finalAnswer: TurnResult = {
  content: [{ type: 'text', text: 'done' }],
  stopReason: 'end_turn',
  usage: USAGE,
};

/** A model whose turns are the given functions, in order. */
function scriptedProvider(turns: ((request: TurnRequest) => Promise<TurnResult>)[]): {
  provider: ModelProvider;
  requests: TurnRequest[];
} {
  const requests: TurnRequest[] = [];
  return {
    requests,
    provider: {
      name: 'anthropic',
      model: 'claude-sonnet-4-6',
      turn(request) {
        requests.push(request);
        const next = turns.shift();
        if (!next) throw new Error('the test model has no more turns');
        return next(request);
      },
    },
  };
}

async function openCore(config: Record<string, unknown> = {}) {
  const { root, home, work } = makeCoreHome(
    'omnipalm-warm-shell-',
    {
      ...config,
      security: {
        blocked_paths: [],
        require_confirmation: false,
        sandbox: 'required',
        ...(config.security as Record<string, unknown> | undefined),
      },
    },
    'omnipalm',
  );
  const core = await AgentCore.open({
    home,
    homeDir: root,
    env: { HOME: root, PATH: realPath ?? '/usr/bin:/bin' },
  });
  cleanups.push(() => core.close());
  return { core, work };
}

describe('the warm shell of a task', { timeout: 30_000 }, () => {
  it('is running while the model still thinks, and the first command runs in it', async () => {
    const { core, work } = await openCore();
    let seen: number[] = [];
    const { provider, requests } = scriptedProvider([
      async () => {
        // No command was asked for yet: only the warm start can have put a bash here.
        await vi.waitFor(() => expect(processesIn(work).length).toBeGreaterThan(0), {
          timeout: 10_000,
        });
        seen = processesIn(work);
        return shellCall('echo warm > proof && cat proof');
      },
      async () => finalAnswer,
    ]);
    const outcome = await core.runTask('prove the shell was warm', { cwd: work, provider });
    expect(outcome.status).toBe('done');
    expect(lastToolResults(requests[1]!)).toMatch(/"output":"warm\\n","exitCode":0/);
    expect(core.terminals.list()).toEqual([]);
    // Closed with the task: every process of the session is gone when runTask returns.
    // (SIGKILL is delivered asynchronously: a leaked process would stay for good.)
    await vi.waitFor(() => expect(seen.filter(isRunning)).toEqual([]));
    expect(processesIn(work)).toEqual([]);
  });

  it('a task stopped while its shell starts leaves no process behind', async () => {
    const { core, work } = await openCore();
    const stop = new AbortController();
    let seen: number[] = [];
    const { provider } = scriptedProvider([
      async (request) => {
        // The sandbox is up (bwrap spawned); bash inside may not have answered yet. Stop now.
        await vi.waitFor(() => expect(processesIn(work).length).toBeGreaterThan(0), {
          timeout: 10_000,
          interval: 1,
        });
        seen = processesIn(work);
        stop.abort();
        return new Promise((_, reject) => {
          if (request.signal.aborted) reject(request.signal.reason as Error);
          request.signal.addEventListener('abort', () => reject(request.signal.reason as Error));
        });
      },
    ]);
    const outcome = await core.runTask('never gets to a command', {
      cwd: work,
      provider,
      signal: stop.signal,
    });
    expect(outcome.status).toBe('stopped');
    // Killed, the whole tree, before runTask returns: the sandbox's own init too, which
    // bwrap's --die-with-parent misses when the sandbox is still being set up.
    // (SIGKILL is delivered asynchronously: a leaked process would stay for good.)
    await vi.waitFor(() => expect(seen.filter(isRunning)).toEqual([]));
    expect(processesIn(work)).toEqual([]);
  });

  it('a task whose tools do not include the shell starts none', async () => {
    const { core, work } = await openCore({ integrations: { terminal: { enabled: false } } });
    const warmUp = vi.spyOn(ShellSession.prototype, 'warmUp');
    const { provider, requests } = scriptedProvider([async () => finalAnswer]);
    const outcome = await core.runTask('no shell here', { cwd: work, provider });
    expect(outcome.status).toBe('done');
    expect(requests[0]!.tools.map((tool) => tool.name)).not.toContain('shell_exec');
    expect(warmUp).not.toHaveBeenCalled();
    expect(processesIn(work)).toEqual([]);
  });

  it('required and no sandbox here: the first command gets the clear error, nothing crashes', async () => {
    // "No sandbox" as in sandboxModes.test.ts: a PATH on which bwrap cannot be found.
    process.env.PATH = makeTempFolder('omnipalm-empty-path-');
    const { core, work } = await openCore();
    const { provider, requests } = scriptedProvider([
      async () => shellCall('echo never'),
      async () => finalAnswer,
    ]);
    const outcome = await core.runTask('try the shell', { cwd: work, provider });
    expect(outcome.status).toBe('done');
    expect(lastToolResults(requests[1]!)).toMatch(
      /security\.sandbox is "required" but no OS sandbox can run here.*fix: sudo apt-get install bubblewrap/,
    );
    expect(processesIn(work)).toEqual([]);
  });
});
