// Agent loop overhead per tool step, with a model server that answers at once (target: at
// most 5 ms per step). A task of STEPS fs_read steps runs through the real stack — the real
// Anthropic SDK streaming SSE from the scripted loopback server, the redacting client, a real
// PolicyEnforcer (SQLite rate limiter), the task policy, the fs tool and the audit trail (log
// file, monitor, SQLite timeline). The baseline, in the same run: the same HTTP round trips
// (one fetch POST of the very body the SDK sent, reading the same SSE reply to its end) plus
// one fs.readFileSync per step. Overhead = full − baseline. A run with an in-process provider
// (no HTTP) isolates loop + policy + tool + audit. Medians of several interleaved repetitions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTask, systemPrompt } from '../../src-main/agent/agentLoop.js';
import { createAnthropicProvider } from '../../src-main/agent/anthropicProvider.js';
import { ConfirmationBroker } from '../../src-main/agent/confirmationBroker.js';
import { createModelClient } from '../../src-main/agent/modelClient.js';
import type { ModelProvider, TurnResult } from '../../src-main/agent/modelProvider.js';
import { ToolRegistry } from '../../src-main/agent/toolRegistry.js';
import { AuditLog } from '../../src-main/audit/auditLog.js';
import { auditSettingsFromConfig } from '../../src-main/audit/auditSettings.js';
import { AuditTrail } from '../../src-main/audit/auditTrail.js';
import { Monitor } from '../../src-main/audit/monitor.js';
import { configSchema } from '../../src-main/config/schema.js';
import { createPolicyEnforcer, createRunBudget } from '../../src-main/policy/index.js';
import { TaskPolicy } from '../../src-main/policy/taskPolicy.js';
import { Redactor } from '../../src-main/secrets/redactor.js';
import { openDatabase } from '../../src-main/store/database.js';
import { TimelineStore, timelineDatabaseFile } from '../../src-main/store/timelineStore.js';
import { FS_TOOLS, type FsToolContext } from '../../src-main/tools/fs/index.js';
import { startScriptedModelServer, type ScriptedReply } from '../support/scriptedModelServer.js';

const MODEL = 'claude-sonnet-4-6';
const STEPS = 200;
const REPETITIONS = 5;
/** Steps compared at each end of the task, to see whether a step costs more as it grows. */
const EDGE = 50;
const TARGET_MS = 5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

interface StepTimes {
  /** Milliseconds per tool step, in order. */
  steps: number[];
}

/** Per-step figures of one repetition: the mean, and the means of the first and last EDGE. */
function summary({ steps }: StepTimes) {
  return { all: mean(steps), first: mean(steps.slice(0, EDGE)), last: mean(steps.slice(-EDGE)) };
}

/** Wraps a provider to note when each turn starts: step k lasts from turn k to turn k + 1. */
function timed(provider: ModelProvider, marks: number[]): ModelProvider {
  return {
    name: provider.name,
    model: provider.model,
    turn: (request) => {
      marks.push(performance.now());
      return provider.turn(request);
    },
  };
}

function stepsOf(marks: number[]): StepTimes {
  if (marks.length !== STEPS + 1)
    throw new Error(`expected ${STEPS + 1} turns, saw ${marks.length}`);
  return { steps: marks.slice(1).map((mark, index) => mark - marks[index]!) };
}

export async function run(): Promise<string[]> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-loop-bench-')));
  const closers: (() => unknown)[] = [];
  try {
    const home = path.join(root, 'home');
    const work = path.join(home, 'work');
    const omnipalmHome = path.join(home, '.omnipalm');
    fs.mkdirSync(work, { recursive: true });
    const notes = path.join(work, 'notes.txt');
    fs.writeFileSync(
      notes,
      'Standup moved to 10:30. Bring the Q3 numbers; the review is on Thursday.\n'.repeat(4),
    );

    const config = configSchema.parse({
      security: {
        allowed_paths: ['~/work'],
        blocked_paths: ['~/.ssh'],
        rate_limits: { file_operations_per_minute: 1_000_000 },
      },
      agent: { max_iterations: STEPS + 10 },
    });
    const redactor = new Redactor();
    const apiKey = `sk-ant-api03-${'Q'.repeat(80)}`;
    redactor.registerSecret('llm_api_key', apiKey);
    const policy = await createPolicyEnforcer({
      config,
      omnipalmHome,
      homeDir: home,
      sandboxCanMakeReadOnly: true,
    });
    closers.push(policy.close);
    const log = new AuditLog({
      settings: auditSettingsFromConfig(config, omnipalmHome),
      redact: (text) => redactor.redact(text),
    });
    closers.push(() => log.close());
    const db = openDatabase(timelineDatabaseFile(omnipalmHome));
    closers.push(() => db.close());
    const trail = new AuditTrail({
      log,
      monitor: new Monitor({ settings: () => config.monitoring }),
      redactor,
      timeline: new TimelineStore(db),
    });
    const registry = new ToolRegistry<FsToolContext>(FS_TOOLS);
    const broker = new ConfirmationBroker({ timeoutMs: 5000 });
    const system = systemPrompt({ cwd: work, allowedPaths: config.security.allowed_paths });

    const readNotes: ScriptedReply = {
      text: '',
      toolUses: [{ name: 'fs_read', input: { path: notes } }],
    };
    const script = (): ScriptedReply[] => [
      ...Array.from({ length: STEPS }, () => readNotes),
      { text: 'Done: read the notes.' },
    ];

    let taskCount = 0;
    const task = async (provider: ModelProvider) => {
      const marks: number[] = [];
      const taskPolicy = new TaskPolicy(policy.enforcer, {
        guardUntrusted: config.security.untrusted_content_guard,
        canConfirm: () => false,
      });
      const outcome = await runTask<FsToolContext>({
        prompt: `Read ${notes} ${STEPS} times.`,
        provider: timed(provider, marks),
        registry,
        toolContext: { enforcer: taskPolicy, cwd: work },
        policy: taskPolicy,
        broker,
        budget: createRunBudget(config, MODEL),
        audit: trail,
        taskId: `bench-${++taskCount}`,
        system,
      });
      if (outcome.status !== 'done' || outcome.iterations !== STEPS + 1) {
        throw new Error(
          `task ended ${outcome.status}: ${outcome.error ?? outcome.stopReason?.message}`,
        );
      }
      return stepsOf(marks);
    };

    /** (1) The real stack: SDK over loopback HTTP; returns the bodies the SDK sent, too. */
    const full = async () => {
      const server = await startScriptedModelServer(script());
      try {
        const client = createModelClient({
          apiKey,
          baseURL: server.baseURL,
          redactor,
          maxRetries: 0,
        });
        const times = await task(createAnthropicProvider(client, MODEL));
        return { times, bodies: server.requests.slice(0, STEPS).map((request) => request.body) };
      } finally {
        await server.close();
      }
    };

    /** (2) The bare cost: the same POST bodies and SSE replies over fetch, plus one read. */
    const bare = async (bodies: string[]): Promise<StepTimes> => {
      const server = await startScriptedModelServer(script());
      try {
        const steps: number[] = [];
        for (const body of bodies) {
          const start = performance.now();
          const response = await fetch(`${server.baseURL}/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
            body,
          });
          const sse = await response.text();
          if (!sse.includes('message_stop')) throw new Error('baseline: incomplete reply');
          fs.readFileSync(notes, 'utf8');
          steps.push(performance.now() - start);
        }
        return { steps };
      } finally {
        await server.close();
      }
    };

    /** (3) The loop without HTTP: a provider that hands back the scripted turn at once. */
    const inProcess = () => {
      let turn = 0;
      const provider: ModelProvider = {
        name: 'in-process',
        model: MODEL,
        turn: () => {
          turn += 1;
          const usage = { input_tokens: 10, output_tokens: 5 };
          const reply: TurnResult =
            turn <= STEPS
              ? {
                  content: [
                    { type: 'text', text: '' },
                    {
                      type: 'tool_use',
                      id: `toolu_${turn}`,
                      name: 'fs_read',
                      input: { path: notes },
                    },
                  ],
                  stopReason: 'tool_use',
                  usage,
                }
              : { content: [{ type: 'text', text: 'Done.' }], stopReason: 'end_turn', usage };
          return Promise.resolve(reply);
        },
      };
      return task(provider);
    };

    // Warm up every path once (JIT, SQLite statements, the connection pool), then measure.
    const warm = await full();
    await bare(warm.bodies);
    await inProcess();
    const results = { full: [] as StepTimes[], bare: [] as StepTimes[], local: [] as StepTimes[] };
    let lastBodies: string[] = [];
    for (let round = 0; round < REPETITIONS; round++) {
      const measured = await full();
      lastBodies = measured.bodies;
      results.full.push(measured.times);
      results.bare.push(await bare(measured.bodies));
      results.local.push(await inProcess());
    }

    const figures = (runs: StepTimes[]) => {
      const each = runs.map(summary);
      return {
        all: median(each.map((figure) => figure.all)),
        first: median(each.map((figure) => figure.first)),
        last: median(each.map((figure) => figure.last)),
      };
    };
    const fullFig = figures(results.full);
    const bareFig = figures(results.bare);
    const localFig = figures(results.local);
    // The overhead per repetition (full − bare of the same bodies), then its median.
    const overheads = results.full.map(
      (times, index) => summary(times).all - summary(results.bare[index]!).all,
    );
    const overhead = median(overheads);
    const ms = (value: number) => value.toFixed(2);
    const edgeOverhead = (edge: 'first' | 'last') =>
      median(
        results.full.map(
          (times, index) => summary(times)[edge] - summary(results.bare[index]!)[edge],
        ),
      );
    const lastBody = (Buffer.byteLength(lastBodies.at(-1) ?? '') / 1024).toFixed(0);
    return [
      `agent loop overhead: ${ms(overhead)} ms per tool step (target ≤ ${TARGET_MS} ms) — ${overhead <= TARGET_MS ? 'met' : 'NOT met'}; full step ${ms(fullFig.all)} ms, bare HTTP+read ${ms(bareFig.all)} ms (${STEPS} steps × ${REPETITIONS} runs, median)`,
      `loop without HTTP: ${ms(localFig.all)} ms per tool step (in-process provider: loop + policy + fs tool + audit)`,
      `growth over the task, first ${EDGE} vs last ${EDGE} steps: full ${ms(fullFig.first)} → ${ms(fullFig.last)} ms, bare ${ms(bareFig.first)} → ${ms(bareFig.last)} ms, overhead ${ms(edgeOverhead('first'))} → ${ms(edgeOverhead('last'))} ms, without HTTP ${ms(localFig.first)} → ${ms(localFig.last)} ms (last request body ${lastBody} KB)`,
    ];
  } finally {
    for (const close of closers.reverse()) close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
