// Timeline store: appends per second in batches (appendMany of 1,000) for 1,000,000 events,
// against raw better-sqlite3 inserts of the same rows into a bare table (same columns, no
// indexes or checks) in one transaction, in the same run (target ≥ 100k/s); then the first
// page (limit 100) of the 1M-event timeline on a fresh connection, unfiltered and filtered
// (target ≤ 10 ms), and text searches through the trigram index (migration 003): a first page
// of matches ≤ 10 ms, no match at all ≤ 20 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AuditKind } from '../../src-main/audit/auditEvent.js';
import { openDatabase } from '../../src-main/store/database.js';
import {
  TimelineStore,
  type TimelineInput,
  type TimelinePageQuery,
} from '../../src-main/store/timelineStore.js';

const EVENTS = 1_000_000;
const BATCH = 1000;
const SLICE = 100_000;

// Roughly a working agent: mostly tool calls and results, few alerts and errors.
const KIND_MIX: [AuditKind, number][] = [
  ['tool_call', 35],
  ['tool_result', 35],
  ['api_call', 10],
  ['agent_response', 8],
  ['user_command', 5],
  ['policy', 4],
  ['confirmation', 1.5],
  ['alert', 0.5],
  ['error', 0.5],
  ['config', 0.5],
];
const TOOLS = ['file.read', 'file.write', 'shell.run', 'email.send', 'web.fetch', 'browser.open'];

/** BATCH distinct events, reused for every batch (building 1M objects would time the GC). */
function templates(): TimelineInput[] {
  const kinds = KIND_MIX.flatMap(([kind, share]) => Array<AuditKind>(share * 10).fill(kind));
  return Array.from({ length: BATCH }, (_, i): TimelineInput => {
    const kind = kinds[(i * 7919) % kinds.length] as AuditKind;
    const tool = kind.startsWith('tool') || kind === 'policy' ? TOOLS[i % TOOLS.length] : undefined;
    return {
      kind,
      time: new Date(1_700_000_000_000 + i),
      taskId: `task-${Math.floor(i / 50)}`,
      tool,
      operation: tool ? tool.split('.')[1] : undefined,
      decision: kind === 'policy' ? (['allow', 'ask', 'deny'] as const)[i % 3] : undefined,
      status: kind === 'tool_result' ? (i % 10 === 0 ? 'error' : 'ok') : undefined,
      summary: `${kind} ${tool ?? ''} /home/user/projects/module${i % 40}/src/file${i}.ts done`,
      detail: { path: `/home/user/projects/module${i % 40}/src/file${i}.ts`, bytes: i * 13 },
      costUsd: kind === 'api_call' ? 0.0031 : undefined,
    };
  });
}

function seconds(action: () => void): number {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A bare table, same columns, no indexes or checks, rows prepared in advance. */
function baselineTable(file: string, events: TimelineInput[]) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE t (time INTEGER, task_id TEXT, kind TEXT, level TEXT, tool TEXT,
    operation TEXT, decision TEXT, status TEXT, summary TEXT, detail TEXT, cost_usd REAL)`);
  const rows = events.map((e) => [
    e.time?.getTime(),
    e.taskId ?? null,
    e.kind,
    'INFO',
    e.tool ?? null,
    e.operation ?? null,
    e.decision ?? null,
    e.status ?? null,
    e.summary,
    JSON.stringify(e.detail),
    e.costUsd ?? null,
  ]);
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  return {
    begin: () => db.exec('BEGIN'),
    insert: (batches: number) => {
      for (let batch = 0; batch < batches; batch++) for (const row of rows) insert.run(row);
    },
    commit: () => db.exec('COMMIT'),
    close: () => db.close(),
  };
}

/** The first call on a fresh connection (statement not yet prepared), and the best of those after. */
function pageTimes(
  file: string,
  query: TimelinePageQuery,
  rounds: number,
): [first: number, warm: number] {
  const db = openDatabase(file);
  try {
    const store = new TimelineStore(db);
    const first = seconds(() => store.page(query)) * 1000;
    let warm = Infinity;
    for (let i = 0; i < rounds; i++) warm = Math.min(warm, seconds(() => store.page(query)) * 1000);
    return [first, warm];
  } finally {
    db.close();
  }
}

export async function run(): Promise<string[]> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-bench-')));
  try {
    const events = templates();
    const file = path.join(root, 'timeline.sqlite');
    const db = openDatabase(file);
    const store = new TimelineStore(db);
    const baseline = baselineTable(path.join(root, 'baseline.sqlite'), events);
    // Interleaved slices (the baseline's one transaction stays open across them), so that a
    // noisy neighbour slows both sides alike and the ratio holds.
    let baselineSeconds = 0;
    let storeSeconds = 0;
    baseline.begin();
    for (let done = 0; done < EVENTS; done += SLICE) {
      baselineSeconds += seconds(() => baseline.insert(SLICE / BATCH));
      storeSeconds += seconds(() => {
        for (let batch = 0; batch < SLICE / BATCH; batch++) store.appendMany(events);
      });
    }
    baselineSeconds += seconds(() => baseline.commit());
    baseline.close();
    db.close();
    const raw = EVENTS / baselineSeconds;
    const appended = EVENTS / storeSeconds;

    const fmt = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
    const lines = [
      `raw better-sqlite3 insert, bare table, one transaction ${fmt(raw)} (baseline)`,
      `TimelineStore.appendMany ×${BATCH} (5 indexes, text index, checks) ${fmt(appended)} — ` +
        `${(appended / raw).toFixed(2)}× the baseline (target ≥ 100,000/s)`,
    ];
    const pages: [string, TimelinePageQuery][] = [
      ['no filter', {}],
      ['kind tool_call (35%)', { kinds: ['tool_call'] }],
      ['kind alert (0.5%)', { kinds: ['alert'] }],
      ['kinds alert+error+config', { kinds: ['alert', 'error', 'config'] }],
      ['tool email.send', { tools: ['email.send'] }],
      ['decision deny + kind policy', { decisions: ['deny'], kinds: ['policy'] }],
      ['text "module7/" (substring)', { text: 'module7/' }],
      ['text "MODULE7/" (other case)', { text: 'MODULE7/' }],
      ['text "file99" (0.1%)', { text: 'file99' }],
    ];
    // Text no row contains: the trigram index answers without reading a row.
    const scans: [string, TimelinePageQuery][] = [
      ['text with no match (ASCII)', { text: 'no such text' }],
      ['text with no match (non-ASCII)', { text: 'aucun résultat' }],
    ];
    // Under 3 characters the index cannot answer: every row is read. No target; for scale.
    const shortScan: TimelinePageQuery = { text: 'zq' };
    const million = EVENTS.toLocaleString('en-US');
    for (const [label, query] of pages) {
      const [first, warm] = pageTimes(file, { limit: 100, ...query }, 20);
      lines.push(
        `first page of ${million}, ${label}: ${first.toFixed(2)} ms on a fresh connection, ` +
          `${warm.toFixed(2)} ms warm (target ≤ 10 ms)`,
      );
    }
    for (const [label, query] of scans) {
      const [first, warm] = pageTimes(file, { limit: 100, ...query }, 20);
      lines.push(
        `first page of ${million}, ${label}: ${first.toFixed(2)} ms on a fresh connection, ` +
          `${warm.toFixed(2)} ms warm (target ≤ 20 ms)`,
      );
    }
    const [first, warm] = pageTimes(file, { limit: 100, ...shortScan }, 2);
    lines.push(
      `first page of ${million}, 2-character text with no match: ${first.toFixed(0)} ms, ` +
        `${warm.toFixed(0)} ms warm (reads every row; no target)`,
    );
    return lines;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
