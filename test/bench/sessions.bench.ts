// Conversations (issue 17's benchmark), two figures:
// (a) Opening a session of 1,000 turns and reading its last page, server side without HTTP
//     (openDatabase + sessionTurnsView — what the session.turns channel runs: Sessions.get,
//     Sessions.turns and each turn's timeline events for its steps — on a fresh connection;
//     target ≤ 50 ms), and
//     its ratio against reading the same rows raw — one prepared SELECT of the page's turns and
//     their messages on a bare better-sqlite3 connection — in the same run.
// (b) The agent loop's per-step overhead with a 100-turn session as context: runTask with an
//     in-process model that answers at once, a history of 100 stored turns and prepareMessages =
//     fitContext, against the same task with no history (target: at most 5 ms more per step),
//     both when the history fits the window and when it must be cut to fit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { runTask, systemPrompt, DEFAULT_MAX_TOKENS } from '../../src-main/agent/agentLoop.js';
import { ConfirmationBroker } from '../../src-main/agent/confirmationBroker.js';
import { fitContext } from '../../src-main/agent/contextWindow.js';
import { repairHistory } from '../../src-main/agent/history.js';
import type {
  MessageParam,
  ModelProvider,
  TurnResult,
} from '../../src-main/agent/modelProvider.js';
import { Sessions } from '../../src-main/agent/sessions.js';
import { sessionTurnsView } from '../../src-main/agent/transcript.js';
import { ToolRegistry, type AgentTool } from '../../src-main/agent/toolRegistry.js';
import { configSchema } from '../../src-main/config/schema.js';
import { createRunBudget } from '../../src-main/policy/index.js';
import { openDatabase } from '../../src-main/store/database.js';
import { SessionStore, type SessionMessage } from '../../src-main/store/sessionStore.js';
import { TimelineStore } from '../../src-main/store/timelineStore.js';

const TURNS = 1000;
const PAGE = 20;
const OPEN_ROUNDS = 30;
const CONTEXT_TURNS = 100;
const STEPS = 200;
const REPETITIONS = 5;
const MODEL = 'claude-sonnet-4-6';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function milliseconds(action: () => unknown): number {
  const start = performance.now();
  action();
  return performance.now() - start;
}

/** One turn as the loop stores it: the prompt, a tool call, its result (~2 KB), the answer. */
function turnMessages(seq: number): SessionMessage[] {
  const listing = Array.from(
    { length: 30 },
    (_, line) =>
      `-rw-r--r--  1 user user ${4096 + line * 37} Mar ${(line % 28) + 1} report-${seq}-${line}.csv`,
  ).join('\n');
  return [
    { role: 'user', content: `Turn ${seq}: list the reports in ~/work/q${seq % 4} and total them` },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: `Listing ~/work/q${seq % 4}.` },
        {
          type: 'tool_use',
          id: `toolu_${seq}`,
          name: 'fs_list',
          input: { path: `~/work/q${seq % 4}` },
        },
      ],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: `toolu_${seq}`,
          content: `<tool_result source="fs_list" trust="untrusted">\n${JSON.stringify({ listing })}\n</tool_result>`,
        },
      ],
    },
    {
      role: 'assistant',
      content: [
        {
          type: 'text',
          text: `There are 30 reports in ~/work/q${seq % 4}, ${(30 * 4096 + 435 * 37).toLocaleString('en-US')} bytes in all. The largest is report-${seq}-29.csv; the oldest is from March 1. Say if you want them merged or archived.`,
        },
      ],
    },
  ];
}

/** A 1,000-turn session on a real SQLite file, written the way the core writes one. */
function storeSession(file: string): string {
  const db = openDatabase(file);
  try {
    const store = new SessionStore(db);
    const timeline = new TimelineStore(db);
    const session = store.createSession(turnMessages(1)[0]!.content as string);
    for (let seq = 1; seq <= TURNS; seq++) {
      const messages = turnMessages(seq);
      const taskId = `task-${seq}`;
      const turn = store.startTurn(session.id, messages[0]!.content as string, { taskId });
      store.appendMessages(turn, messages);
      store.finishTurn(turn, 'done', 0.002);
      // The turn's events as the audit trail writes them: the steps come from these.
      const ids = { taskId, sessionId: session.id };
      timeline.appendMany([
        { kind: 'user_command', summary: `[user_command] "turn ${seq}"`, ...ids },
        {
          kind: 'tool_call',
          tool: 'fs.list',
          summary: '[tool_call] fs.list path="~/work"',
          ...ids,
        },
        {
          kind: 'tool_result',
          tool: 'fs.list',
          status: 'success',
          summary: '[tool_result] fs.list status="success"',
          ...ids,
        },
        { kind: 'agent_response', summary: '[agent_response] "done"', costUsd: 0.002, ...ids },
      ]);
    }
    return session.id;
  } finally {
    db.close();
  }
}

/** (a) session.turns' work on a fresh connection; the same rows read raw, likewise. */
function openFigures(file: string, sessionId: string) {
  const viaSessions = () => {
    let sessions: Sessions | undefined;
    let timeline: TimelineStore | undefined;
    const open = milliseconds(() => {
      const db = openDatabase(file);
      sessions = new Sessions(new SessionStore(db), () => db.close());
      timeline = new TimelineStore(db);
    });
    if (!sessions || !timeline) throw new Error('no Sessions');
    try {
      let turns = 0;
      let steps = 0;
      const first = milliseconds(() => {
        const view = sessionTurnsView(sessions!, timeline!, { sessionId });
        turns = view.turns.length;
        steps = view.turns.reduce((sum, turn) => sum + turn.steps.length, 0);
      });
      if (turns !== PAGE) throw new Error(`expected a page of ${PAGE} turns, got ${turns}`);
      if (steps !== PAGE) throw new Error(`expected one step per turn, got ${steps}`);
      let warm = Infinity;
      for (let i = 0; i < 10; i++) {
        warm = Math.min(
          warm,
          milliseconds(() => sessionTurnsView(sessions!, timeline!, { sessionId })),
        );
      }
      return { open, first, warm };
    } finally {
      sessions.close();
    }
  };
  const raw = () => {
    let db: Database.Database | undefined;
    const open = milliseconds(() => (db = new Database(file, { readonly: true })));
    if (!db) throw new Error('no database');
    try {
      const sql = `SELECT t.seq, t.prompt, t.status, m.role, m.content FROM
        (SELECT id, seq, prompt, status FROM turns WHERE session_id = ? ORDER BY seq DESC LIMIT ?) t
        JOIN turn_messages m ON m.turn_id = t.id ORDER BY t.seq, m.seq`;
      // The same turns' timeline events, by their task ids.
      const eventsSql = `SELECT id, time, kind, summary, tool, status FROM timeline
        WHERE task_id IN (SELECT task_id FROM turns WHERE session_id = ? ORDER BY seq DESC LIMIT ?)`;
      let rows = 0;
      let events = 0;
      const first = milliseconds(() => {
        rows = db!.prepare(sql).all(sessionId, PAGE).length;
        events = db!.prepare(eventsSql).all(sessionId, PAGE).length;
      });
      if (rows !== PAGE * 4) throw new Error(`raw read: expected ${PAGE * 4} rows, got ${rows}`);
      if (events !== PAGE * 4)
        throw new Error(`raw read: expected ${PAGE * 4} events, got ${events}`);
      const statement = db.prepare(sql);
      const eventsStatement = db.prepare(eventsSql);
      let warm = Infinity;
      for (let i = 0; i < 10; i++) {
        warm = Math.min(
          warm,
          milliseconds(() => {
            statement.all(sessionId, PAGE);
            eventsStatement.all(sessionId, PAGE);
          }),
        );
      }
      return { open, first, warm };
    } finally {
      db.close();
    }
  };
  // Interleaved, so a noisy neighbour slows both alike. "In all": open + the first reads.
  const ours: { open: number; first: number; warm: number }[] = [];
  const bare: { open: number; first: number; warm: number }[] = [];
  for (let round = 0; round < OPEN_ROUNDS; round++) {
    ours.push(viaSessions());
    bare.push(raw());
  }
  const of = (list: typeof ours, pick: (figure: (typeof ours)[number]) => number) =>
    median(list.map(pick));
  return {
    open: of(ours, (figure) => figure.open + figure.first),
    first: of(ours, (figure) => figure.first),
    warm: of(ours, (figure) => figure.warm),
    rawOpen: of(bare, (figure) => figure.open + figure.first),
    rawFirst: of(bare, (figure) => figure.first),
    rawWarm: of(bare, (figure) => figure.warm),
  };
}

// (b) A tool that answers at once with ~2 KB, so the loop's own cost is what is measured.
const listTool: AgentTool<{ signal?: AbortSignal }> = {
  name: 'fs.list',
  modelName: 'fs_list',
  description: 'List a folder.',
  inputSchema: z.strictObject({ path: z.string() }),
  operation: 'read',
  plan: (input) => ({
    decision: { decision: 'allow', reason: 'bench', risk: 'low', rule: 'default' },
    summary: `list ${(input as { path: string }).path}`,
    preview: [],
    fingerprint: 'list',
  }),
  execute: () => Promise.resolve({ listing: 'report.csv 4096\n'.repeat(120) }),
};

async function stepTimes(history: MessageParam[] | undefined, contextWindow: number) {
  const config = configSchema.parse({ agent: { max_iterations: STEPS + 10 } });
  const registry = new ToolRegistry([listTool]);
  const system = systemPrompt({ cwd: '/home/user/work', allowedPaths: ['~/work'] });
  const marks: number[] = [];
  let turn = 0;
  const provider: ModelProvider = {
    name: 'in-process',
    model: MODEL,
    turn: () => {
      marks.push(performance.now());
      turn += 1;
      const usage = { input_tokens: 10, output_tokens: 5 };
      const reply: TurnResult =
        turn <= STEPS
          ? {
              content: [
                { type: 'tool_use', id: `now_${turn}`, name: 'fs_list', input: { path: '~/work' } },
              ],
              stopReason: 'tool_use',
              usage,
            }
          : { content: [{ type: 'text', text: 'Done.' }], stopReason: 'end_turn', usage };
      return Promise.resolve(reply);
    },
  };
  const outcome = await runTask({
    prompt: 'List ~/work again and again.',
    provider,
    registry,
    toolContext: {},
    broker: new ConfirmationBroker({ timeoutMs: 5000 }),
    budget: createRunBudget(config, MODEL),
    taskId: 'bench',
    system,
    ...(history
      ? {
          history,
          prepareMessages: (messages: MessageParam[], currentStart: number) =>
            fitContext({
              system,
              tools: registry.definitions(),
              messages,
              currentStart,
              maxTokens: DEFAULT_MAX_TOKENS,
              contextWindow,
            }),
        }
      : {}),
  });
  if (outcome.status !== 'done' || marks.length !== STEPS + 1) {
    throw new Error(`task ended ${outcome.status}: ${outcome.error ?? ''}`);
  }
  return (marks.at(-1)! - marks[0]!) / STEPS;
}

export async function run(): Promise<string[]> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-sessions-bench-')));
  try {
    const file = path.join(root, 'timeline.sqlite');
    const sessionId = storeSession(file);
    const bytes = fs.statSync(file).size;
    const page = openFigures(file, sessionId);

    // The context of a session's 101st turn, read back from the store as the core reads it.
    const db = openDatabase(file);
    const history = repairHistory(
      new SessionStore(db).contextMessages(sessionId).slice(0, CONTEXT_TURNS * 4) as MessageParam[],
    );
    db.close();
    const historyKb = Buffer.byteLength(JSON.stringify(history)) / 1024;
    const trimmed = fitContext({
      system: systemPrompt(),
      tools: new ToolRegistry([listTool]).definitions(),
      messages: [...history, { role: 'user', content: 'List ~/work again.' }],
      currentStart: history.length,
      maxTokens: DEFAULT_MAX_TOKENS,
      contextWindow: 32_000,
    });
    const summarised = /^\[summary by OmniPalm of turns 1–(\d+)/.exec(
      typeof trimmed[0]?.content === 'string' ? trimmed[0].content : '',
    )?.[1];
    const shortened = JSON.stringify(trimmed).split('[shortened by OmniPalm').length - 1;
    if (!summarised || shortened === 0) throw new Error('the 32k window did not cut the context');

    await stepTimes(undefined, 200_000);
    await stepTimes(history, 200_000);
    await stepTimes(history, 32_000);
    const none: number[] = [];
    const fits: number[] = [];
    const cut: number[] = [];
    for (let round = 0; round < REPETITIONS; round++) {
      none.push(await stepTimes(undefined, 200_000));
      fits.push(await stepTimes(history, 200_000));
      cut.push(await stepTimes(history, 32_000));
    }
    const noHistory = median(none);
    const fitting = median(fits);
    const cutting = median(cut);
    const ms = (value: number) => value.toFixed(2);
    const met = (value: number, target: number) => (value <= target ? 'met' : 'NOT met');
    return [
      `open a ${TURNS.toLocaleString('en-US')}-turn session and read its last page (${PAGE} turns, fresh connection, ${(bytes / 1024 / 1024).toFixed(1)} MB file): ${ms(page.open)} ms in all (target ≤ 50 ms) — ${met(page.open, 50)}; the reads ${ms(page.first)} ms first, ${ms(page.warm)} ms warm (median of ${OPEN_ROUNDS})`,
      `raw prepared SELECT of the same rows: ${ms(page.rawOpen)} ms in all, ${ms(page.rawFirst)} ms first, ${ms(page.rawWarm)} ms warm (baseline) — Sessions ${(page.open / page.rawOpen).toFixed(2)}× in all, ${(page.warm / page.rawWarm).toFixed(2)}× warm`,
      `agent loop step with a ${CONTEXT_TURNS}-turn session as context (${historyKb.toFixed(0)} KB) that fits: ${ms(fitting)} ms vs ${ms(noHistory)} ms with none — ${ms(fitting - noHistory)} ms more per step (target ≤ 5 ms) — ${met(fitting - noHistory, 5)}`,
      `agent loop step with the same context cut to a 32,000-token window (${shortened} results shortened, turns 1–${summarised} summarised): ${ms(cutting)} ms — ${ms(cutting - noHistory)} ms more per step (target ≤ 5 ms) — ${met(cutting - noHistory, 5)} (${STEPS} steps × ${REPETITIONS} runs, median)`,
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
