// The first shell command of a task against a later one (issue 16, item 4): a task's shell
// starts when the task starts, in parallel with the first model turn, so with a model that
// answers after MODEL_DELAY_MS the first command should cost no more than a later one
// (target: first ≤ 1.2× later + 10 ms). Each round is one task through the real AgentCore —
// the scripted loopback model server (real SDK, SSE) delaying its first reply, the real
// policy, the real bubblewrap sandbox (security.sandbox: required) — running `true` three
// times. A command's cost is from its tool_call audit event (the model's tool_use reached the
// loop) to its tool_result. Each round opens a new core, as a fresh `omnipalm run` does, so
// its first task starts the sandbox runtime cold; a second task in the same core finds the
// runtime up, as tasks in the app do. Closing the core stops the runtime. Medians of ROUNDS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { AgentCore } from '../../src-main/agent/core.js';
import { resetSandboxRuntime, ShellSandbox } from '../../src-main/tools/shell/sandbox.js';
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
        // Hundreds of commands a minute here; the limit is not what is measured.
        rate_limits: { shell_commands_per_minute: 100_000 },
      },
      integrations: { network: { enabled: false } },
    }),
    { mode: 0o600 },
  );
  const server = await startScriptedModelServer(
    Array.from({ length: 2 * ROUNDS }, () => taskScript()).flat(),
  );
  /** The [tool_call, tool_result] times of each command of the running task, in order. */
  let marks: number[] = [];
  const runOne = async (core: AgentCore, label: string): Promise<number[]> => {
    marks = [];
    const outcome = await core.runTask('run true three times', { cwd: work });
    if (outcome.status !== 'done' || marks.length !== 2 * COMMANDS_PER_TASK) {
      throw new Error(`${label}: ${outcome.status} ${outcome.error ?? ''}, ${marks.length} marks`);
    }
    return Array.from({ length: COMMANDS_PER_TASK }, (_, i) => marks[2 * i + 1]! - marks[2 * i]!);
  };
  try {
    const fresh = { first: [] as number[], later: [] as number[] };
    const again = { first: [] as number[], later: [] as number[] };
    const cold: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      cold.push(await coldStartMs(work));
      await resetSandboxRuntime();
      const core = await AgentCore.open({
        home,
        homeDir: root,
        env: {
          HOME: root,
          OMNIPALM_LLM_API_KEY: 'sk-ant-bench-0123456789abcdefghij',
          OMNIPALM_LLM_BASE_URL: server.baseURL,
        },
        onEvent: (event) => {
          if (event.kind === 'tool_call' || event.kind === 'tool_result') {
            marks.push(performance.now());
          }
        },
      });
      try {
        for (const [figures, label] of [
          [fresh, 'first task'],
          [again, 'second task'],
        ] as const) {
          const costs = await runOne(core, `round ${round}, ${label}`);
          figures.first.push(costs[0]!);
          figures.later.push(median(costs.slice(1)));
        }
      } finally {
        await core.close();
      }
    }
    const line = (figures: typeof fresh, what: string) => {
      const firstMs = median(figures.first);
      const laterMs = median(figures.later);
      const limit = FACTOR * laterMs + SLACK_MS;
      return `first shell command ${what} (model answers after ${MODEL_DELAY_MS} ms) ${ms(firstMs)} vs a later command ${ms(laterMs)}: limit ${FACTOR}× + ${SLACK_MS} ms = ${ms(limit)} — ${firstMs <= limit ? 'met' : 'MISSED'}`;
    };
    return [
      line(fresh, 'of a task in a new process (cold sandbox runtime, as omnipalm run)'),
      line(again, 'of a later task in the same process (runtime up, as the app)'),
      `cold sandboxed shell start-up to hide ${ms(median(cold))} (context: a session's first exec with the runtime reset; medians of ${ROUNDS} rounds)`,
    ];
  } finally {
    await server.close();
    await resetSandboxRuntime();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
