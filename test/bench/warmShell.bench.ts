// The first shell command of a task against a later one (issue 16, item 4): a task's shell
// starts when the task starts, in parallel with the first model turn, so with a model that
// answers after MODEL_DELAY_MS the first command should cost no more than a later one
// (target: first ≤ 1.2× later + 10 ms). Each round is one task through the real AgentCore —
// the scripted loopback model server (real SDK, SSE) delaying its first reply, the real
// policy, the real bubblewrap sandbox (security.sandbox: required) — running `true` three
// times. A command's cost is from its tool_call audit event (the model's tool_use reached the
// loop) to its tool_result. The sandbox runtime is reset before each round, so every task
// starts it cold, as a fresh `omnipalm run` does. Medians over ROUNDS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { AgentCore } from '../../src-main/agent/core.js';
import { resetSandboxRuntime } from '../../src-main/tools/shell/sandbox.js';
import { ShellSandbox } from '../../src-main/tools/shell/sandbox.js';
import { ShellSession } from '../../src-main/tools/shell/shellSession.js';
import { startScriptedModelServer, type ScriptedReply } from '../support/scriptedModelServer.js';

const ROUNDS = 7;
const MODEL_DELAY_MS = 500;
const COMMANDS_PER_TASK = 3;
const FACTOR = 1.2;
const SLACK_MS = 10;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;

function taskScript(): ScriptedReply[] {
  const command: ScriptedReply = {
    text: '',
    toolUses: [{ name: 'shell_exec', input: { command: 'true' } }],
  };
  return [
    { ...command, delayMs: MODEL_DELAY_MS },
    ...Array.from({ length: COMMANDS_PER_TASK - 1 }, () => command),
    { text: 'done' },
  ];
}

/** Milliseconds of a cold sandboxed session's first exec: the start-up the task must hide. */
async function coldStartMs(work: string): Promise<number> {
  const sandbox = await ShellSandbox.prepare({
    mode: 'required',
    allowedPaths: [work],
    blockedPaths: [],
    readOnly: false,
    networkEnabled: false,
    allowedHosts: [],
  });
  await resetSandboxRuntime();
  const session = new ShellSession({ cwd: work, launcher: sandbox.launcher() });
  try {
    const start = performance.now();
    await session.exec('true', { timeoutMs: 30_000 });
    return performance.now() - start;
  } finally {
    await session.close();
  }
}

export async function run(): Promise<string[]> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-bench-warm-')));
  const home = path.join(root, 'omnipalm');
  const work = path.join(root, 'work');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.mkdirSync(work);
  fs.writeFileSync(
    path.join(home, 'config.yaml'),
    stringify({
      security: {
        allowed_paths: [work],
        blocked_paths: [],
        require_confirmation: false,
        sandbox: 'required',
      },
      integrations: { network: { enabled: false } },
    }),
    { mode: 0o600 },
  );
  const server = await startScriptedModelServer(
    Array.from({ length: ROUNDS }, () => taskScript()).flat(),
  );
  /** Per task, the [tool_call, tool_result] times of each command, in order. */
  let marks: number[] = [];
  const core = await AgentCore.open({
    home,
    homeDir: root,
    env: {
      HOME: root,
      OMNIPALM_LLM_API_KEY: 'sk-ant-bench-0123456789abcdefghij',
      OMNIPALM_LLM_BASE_URL: server.baseURL,
    },
    onEvent: (event) => {
      if (event.kind === 'tool_call' || event.kind === 'tool_result') marks.push(performance.now());
    },
  });
  try {
    const first: number[] = [];
    const later: number[] = [];
    const cold: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      cold.push(await coldStartMs(work));
      await resetSandboxRuntime();
      marks = [];
      const outcome = await core.runTask('run true three times', { cwd: work });
      if (outcome.status !== 'done' || marks.length !== 2 * COMMANDS_PER_TASK) {
        throw new Error(
          `round ${round}: ${outcome.status} ${outcome.error ?? ''}, ${marks.length} marks`,
        );
      }
      const costs = Array.from(
        { length: COMMANDS_PER_TASK },
        (_, i) => marks[2 * i + 1]! - marks[2 * i]!,
      );
      first.push(costs[0]!);
      later.push(median(costs.slice(1)));
    }
    const firstMs = median(first);
    const laterMs = median(later);
    const limit = FACTOR * laterMs + SLACK_MS;
    return [
      `first shell command of a task (model answers after ${MODEL_DELAY_MS} ms) ${ms(firstMs)} vs a later command ${ms(laterMs)}: limit ${FACTOR}× + ${SLACK_MS} ms = ${ms(limit)} — ${firstMs <= limit ? 'met' : 'MISSED'}`,
      `cold sandboxed shell start-up the task hides ${ms(median(cold))} (context; medians of ${ROUNDS} tasks, sandbox runtime reset before each)`,
    ];
  } finally {
    await core.close();
    await server.close();
    await resetSandboxRuntime();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
