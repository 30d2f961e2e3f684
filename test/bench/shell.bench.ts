// Shell session costs against plain process spawns and raw node-pty, in the same run (issue 7):
//   1. per-command cost of exec("true") in a warm sandboxed session (mode required, bubblewrap)
//      against `bash -c true` spawned unsandboxed from Node one after another (target ≤ 0.2×);
//      the unsandboxed session and the session start-up (first exec) for context;
//   2. pty throughput: a command printing THROUGHPUT_BYTES through the session to an onData
//      listener (wall time until exec resolves) against node-pty raw running the same command
//      (onData counting until exit) (target ≥ 0.8×), unsandboxed and sandboxed.
// Medians of interleaved rounds, since these machines are noisy (raw node-pty reads ~4 KB a
// chunk here, ~70–90 MB/s, and swings ±15% run to run).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pty from 'node-pty';
import { ShellSession } from '../../src-main/tools/shell/shellSession.js';
import {
  resetSandboxRuntime,
  ShellSandbox,
  type ShellSandboxSettings,
} from '../../src-main/tools/shell/sandbox.js';

const ROUNDS = 5;
const SESSION_COMMANDS = 500;
const SPAWNS = 100;
const THROUGHPUT_BYTES = 100_000_000;
const THROUGHPUT_ROUNDS = 5;
const THROUGHPUT_COMMAND = `head -c ${THROUGHPUT_BYTES} /dev/zero | tr '\\0' a`;
const PER_COMMAND_TARGET = 0.2;
const THROUGHPUT_TARGET = 0.8;
const EXEC = { timeoutMs: 120_000 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = now();
  await action();
  return now() - start;
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** Milliseconds per `bash -c true` spawned and awaited one after another. */
async function spawnRound(): Promise<number> {
  return (
    (await timeMs(async () => {
      for (let i = 0; i < SPAWNS; i++) await spawnTrue();
    })) / SPAWNS
  );
}

/** Milliseconds per exec("true") in a warm session. */
async function sessionRound(session: ShellSession): Promise<number> {
  return (
    (await timeMs(async () => {
      for (let i = 0; i < SESSION_COMMANDS; i++) await session.exec('true', EXEC);
    })) / SESSION_COMMANDS
  );
}

/** MB/s of THROUGHPUT_COMMAND read from node-pty directly, until the process exits. */
async function rawPtyRound(cwd: string): Promise<{ mbs: number; chars: number }> {
  let chars = 0;
  const ms = await timeMs(
    () =>
      new Promise<void>((resolve) => {
        const term = pty.spawn('bash', ['-c', THROUGHPUT_COMMAND], {
          name: 'dumb',
          cols: 200,
          rows: 50,
          cwd,
          env: process.env as Record<string, string>,
        });
        term.onData((data) => (chars += data.length));
        term.onExit(() => setImmediate(resolve));
      }),
  );
  return { mbs: chars / 1e6 / (ms / 1000), chars };
}

/** MB/s of THROUGHPUT_COMMAND reaching a session's onData listener, until exec resolves. */
async function sessionThroughputRound(
  session: ShellSession,
): Promise<{ mbs: number; chars: number }> {
  let chars = 0;
  const stop = session.onData((chunk) => (chars += chunk.length));
  try {
    const ms = await timeMs(async () => {
      const result = await session.exec(THROUGHPUT_COMMAND, EXEC);
      if (result.exitCode !== 0) throw new Error(`throughput command exited ${result.exitCode}`);
    });
    return { mbs: chars / 1e6 / (ms / 1000), chars };
  } finally {
    stop();
  }
}

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const mbs = (value: number) => `${Math.round(value)} MB/s`;

export async function run(): Promise<string[]> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-bench-shell-')));
  const work = path.join(root, 'work');
  const blocked = path.join(root, 'blocked');
  fs.mkdirSync(work);
  fs.mkdirSync(blocked);
  const sessions: ShellSession[] = [];
  try {
    const settings: ShellSandboxSettings = {
      mode: 'required',
      allowedPaths: [work],
      blockedPaths: [blocked],
      readOnly: false,
      networkEnabled: false,
      allowedHosts: [],
    };
    const sandbox = await ShellSandbox.prepare(settings);
    const launcher = sandbox.launcher();
    if (!launcher) throw new Error(`no sandbox launcher: ${sandbox.status.detail}`);
    const sandboxed = new ShellSession({ cwd: work, launcher });
    const plain = new ShellSession({ cwd: work });
    sessions.push(sandboxed, plain);

    // Start-up: the first exec starts the shell (and, sandboxed, the runtime and bwrap).
    const sandboxedStart = await timeMs(() => sandboxed.exec('true', EXEC));
    const plainStart = await timeMs(() => plain.exec('true', EXEC));
    // A warm-up round of each, not counted.
    await spawnRound();
    await sessionRound(sandboxed);
    await sessionRound(plain);

    const spawned: number[] = [];
    const inSandbox: number[] = [];
    const unsandboxed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      spawned.push(await spawnRound());
      inSandbox.push(await sessionRound(sandboxed));
      unsandboxed.push(await sessionRound(plain));
    }
    const spawnMs = median(spawned);
    const sandboxedMs = median(inSandbox);
    const plainMs = median(unsandboxed);
    const perCommand = sandboxedMs / spawnMs;

    const raw: number[] = [];
    const plainFlow: number[] = [];
    const sandboxedFlow: number[] = [];
    await rawPtyRound(work); // warm-up
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      raw.push((await rawPtyRound(work)).mbs);
      const p = await sessionThroughputRound(plain);
      if (p.chars < THROUGHPUT_BYTES) throw new Error(`listener saw only ${p.chars} characters`);
      plainFlow.push(p.mbs);
      const s = await sessionThroughputRound(sandboxed);
      if (s.chars < THROUGHPUT_BYTES) throw new Error(`listener saw only ${s.chars} characters`);
      sandboxedFlow.push(s.mbs);
    }
    const rawMbs = median(raw);
    const plainMbs = median(plainFlow);
    const sandboxedMbs = median(sandboxedFlow);
    const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

    return [
      `exec("true") sandboxed ${ms(sandboxedMs)} vs spawn bash -c true ${ms(spawnMs)} = ${ratio(perCommand)} (target ≤ ${PER_COMMAND_TARGET}×) — ${verdict(perCommand <= PER_COMMAND_TARGET)}`,
      `exec("true") unsandboxed session ${ms(plainMs)} = ${ratio(plainMs / spawnMs)} the spawn (context; median of ${ROUNDS} rounds of ${SESSION_COMMANDS}, spawns ${ROUNDS}×${SPAWNS})`,
      `session start-up (first exec) sandboxed ${ms(sandboxedStart)}, unsandboxed ${ms(plainStart)}`,
      `throughput ${THROUGHPUT_BYTES / 1e6} MB to onData, unsandboxed session ${mbs(plainMbs)} vs node-pty raw ${mbs(rawMbs)} = ${ratio(plainMbs / rawMbs)} (target ≥ ${THROUGHPUT_TARGET}×) — ${verdict(plainMbs / rawMbs >= THROUGHPUT_TARGET)}`,
      `throughput sandboxed session ${mbs(sandboxedMbs)} vs node-pty raw ${mbs(rawMbs)} = ${ratio(sandboxedMbs / rawMbs)} (target ≥ ${THROUGHPUT_TARGET}×) — ${verdict(sandboxedMbs / rawMbs >= THROUGHPUT_TARGET)}`,
    ];
  } finally {
    for (const session of sessions) session.dispose();
    await resetSandboxRuntime();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
