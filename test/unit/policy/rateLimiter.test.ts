import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RateLimiter,
  RateLimiterUnavailableError,
  type RateCategory,
} from '../../../src-main/policy/rateLimiter.js';
import { makeTempFolder } from '../../support/tempFolders.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const MODULE_FILE = path.join(REPO_ROOT, 'src-main/policy/rateLimiter.ts');
const START = Date.UTC(2026, 0, 1, 9, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

type Limits = Record<RateCategory, number>;
const DEFAULT_LIMITS: Limits = {
  emails: 20,
  api_calls: 60,
  file_operations: 100,
  shell_commands: 30,
  mcp_calls: 30,
};

const open: RateLimiter[] = [];
afterEach(() => {
  for (const limiter of open.splice(0)) limiter.close();
});

function databaseFile(): string {
  return path.join(makeTempFolder('omnipalm-rate-'), 'state', 'rate-limits.sqlite');
}

function limiterFor(
  file: string,
  limits: Partial<Limits> | (() => Limits) = {},
  now?: () => number,
): RateLimiter {
  const current = typeof limits === 'function' ? limits : () => ({ ...DEFAULT_LIMITS, ...limits });
  const limiter = new RateLimiter({ databaseFile: file, limits: current, ...(now && { now }) });
  open.push(limiter);
  return limiter;
}

/** A clock the test moves by hand. */
function manualClock(start = START) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A node process that opens the limiter, says ready, then tries `attempts` times on "go". */
function spawnWorker(file: string, attempts: number) {
  const script = `
    const { RateLimiter } = await import(${JSON.stringify(pathToFileURL(MODULE_FILE).href)});
    const limiter = new RateLimiter({
      databaseFile: ${JSON.stringify(file)},
      limits: () => (${JSON.stringify(DEFAULT_LIMITS)}),
    });
    limiter.peek('emails');
    process.stdout.write('ready\\n');
    process.stdin.once('data', () => {
      let allowed = 0;
      for (let i = 0; i < ${attempts}; i++) if (limiter.tryAcquire('emails').allowed) allowed++;
      limiter.close();
      process.stdout.write('allowed ' + allowed + '\\n');
      process.exit(0);
    });
  `;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('ready\n')) resolve();
    });
    child.on('close', () => reject(new Error(`worker exited before ready: ${stderr}`)));
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe('RateLimiter under concurrency', () => {
  it('lets exactly 20 of 1,000 simultaneous attempts through, over 4 connections', async () => {
    const file = databaseFile();
    const limiters = [0, 1, 2, 3].map(() => limiterFor(file));
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, index) =>
        limiters[index % limiters.length]!.tryAcquire('emails'),
      ),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(20);
    expect(limiterFor(file).peek('emails')).toMatchObject({ allowed: false, used: 20 });
  });

  it('lets exactly 20 of 1,000 attempts through from 4 processes at once', async () => {
    const file = databaseFile();
    const workers = [0, 1, 2, 3].map(() => spawnWorker(file, 250));
    // Every process has the database open before any starts, so the attempts really overlap.
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.go();
    const results = await Promise.all(workers.map((worker) => worker.done));

    let allowed = 0;
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const match = /allowed (\d+)/.exec(result.stdout);
      expect(match).not.toBeNull();
      allowed += Number(match![1]);
    }
    expect(allowed).toBe(20);
    expect(limiterFor(file).peek('emails')).toMatchObject({ allowed: false, used: 20 });
  });
});

describe('RateLimiter windows', () => {
  it('slides: a slot frees exactly when the oldest attempt leaves the window', () => {
    const clock = manualClock();
    const limiter = limiterFor(databaseFile(), { api_calls: 3 }, clock.now);
    for (const offset of [0, 10 * SECOND, 20 * SECOND]) {
      clock.at = START + offset;
      expect(limiter.tryAcquire('api_calls')).toMatchObject({ allowed: true });
    }

    clock.at = START + 30 * SECOND;
    const denied = limiter.tryAcquire('api_calls');
    expect(denied).toEqual({
      allowed: false,
      category: 'api_calls',
      limit: 3,
      used: 3,
      windowMs: MINUTE,
      nextSlotAt: new Date(START + MINUTE),
    });

    clock.at = START + MINUTE - 1;
    expect(limiter.tryAcquire('api_calls').allowed).toBe(false);
    clock.at = START + MINUTE;
    expect(limiter.tryAcquire('api_calls')).toMatchObject({ allowed: true, used: 3 });
    // Not a fixed bucket: only the one slot freed, the next frees when the second attempt leaves.
    expect(limiter.tryAcquire('api_calls')).toMatchObject({
      allowed: false,
      nextSlotAt: new Date(START + MINUTE + 10 * SECOND),
    });
  });

  it('uses an hour for emails and keeps categories apart', () => {
    const clock = manualClock();
    const limiter = limiterFor(databaseFile(), { emails: 1, shell_commands: 1 }, clock.now);
    expect(limiter.tryAcquire('emails').allowed).toBe(true);
    expect(limiter.tryAcquire('shell_commands').allowed).toBe(true);
    expect(limiter.tryAcquire('emails')).toMatchObject({
      allowed: false,
      windowMs: HOUR,
      nextSlotAt: new Date(START + HOUR),
    });
    clock.at = START + MINUTE;
    expect(limiter.tryAcquire('shell_commands').allowed).toBe(true);
    expect(limiter.tryAcquire('emails').allowed).toBe(false);
  });

  it('keeps its counts across a restart', () => {
    const file = databaseFile();
    const clock = manualClock();
    const first = limiterFor(file, { emails: 2 }, clock.now);
    first.tryAcquire('emails');
    first.tryAcquire('emails');
    first.close();

    clock.at = START + 30 * MINUTE;
    const second = limiterFor(file, { emails: 2 }, clock.now);
    expect(second.tryAcquire('emails')).toMatchObject({
      allowed: false,
      used: 2,
      nextSlotAt: new Date(START + HOUR),
    });
  });

  it('peek gives the same answer and consumes nothing', () => {
    const clock = manualClock();
    const limiter = limiterFor(databaseFile(), { shell_commands: 2 }, clock.now);
    for (let i = 0; i < 10; i++) {
      expect(limiter.peek('shell_commands')).toMatchObject({ allowed: true, used: 1 });
    }
    expect(limiter.tryAcquire('shell_commands')).toMatchObject({ allowed: true, used: 1 });
    expect(limiter.peek('shell_commands')).toMatchObject({ allowed: true, used: 2 });
    expect(limiter.tryAcquire('shell_commands')).toMatchObject({ allowed: true, used: 2 });
    expect(limiter.peek('shell_commands')).toEqual(limiter.tryAcquire('shell_commands'));
  });

  it('applies a changed limit on the next call', () => {
    const clock = manualClock();
    const limits = { ...DEFAULT_LIMITS, file_operations: 5 };
    const limiter = limiterFor(databaseFile(), () => limits, clock.now);
    for (let i = 0; i < 5; i++) {
      clock.at = START + i * SECOND;
      expect(limiter.tryAcquire('file_operations').allowed).toBe(true);
    }

    limits.file_operations = 2;
    // Five in the window and two allowed: one more fits once only one is left, i.e. once the
    // fourth attempt (at +3 s) has left the window.
    expect(limiter.tryAcquire('file_operations')).toMatchObject({
      allowed: false,
      limit: 2,
      used: 5,
      nextSlotAt: new Date(START + 3 * SECOND + MINUTE),
    });

    limits.file_operations = 10;
    expect(limiter.tryAcquire('file_operations')).toMatchObject({ allowed: true, used: 6 });
  });

  it('denies everything at a limit of 0, with no next slot', () => {
    const limiter = limiterFor(databaseFile(), { emails: 0 });
    const result = limiter.tryAcquire('emails');
    expect(result).toMatchObject({ allowed: false, limit: 0, used: 0 });
    expect(result.nextSlotAt).toBeUndefined();
    expect(limiter.peek('emails').allowed).toBe(false);
  });

  it('does not let a clock set back block a category for more than one window', () => {
    const clock = manualClock(START + 24 * HOUR);
    const limiter = limiterFor(databaseFile(), { api_calls: 1 }, clock.now);
    expect(limiter.tryAcquire('api_calls').allowed).toBe(true);

    clock.at = START;
    expect(limiter.tryAcquire('api_calls')).toMatchObject({
      allowed: false,
      nextSlotAt: new Date(START + MINUTE),
    });
    clock.at = START + MINUTE;
    expect(limiter.tryAcquire('api_calls').allowed).toBe(true);
  });
});

describe('RateLimiter storage', () => {
  it.skipIf(process.platform === 'win32')(
    'creates its folder 0700 and its database (and WAL) 0600',
    () => {
      const file = databaseFile();
      limiterFor(file).tryAcquire('emails');
      const mode = (target: string) => fs.statSync(target).mode & 0o777;
      expect(mode(path.dirname(file))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
    },
  );

  it('counts with the (category, time) index', () => {
    const file = databaseFile();
    limiterFor(file).tryAcquire('emails');
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) FROM attempts WHERE category = ? AND at_ms > ?')
      .all('emails', 0);
    db.close();
    expect(JSON.stringify(plan)).toContain('attempts_by_category_time');
  });
});

describe('RateLimiter fails closed', () => {
  function expectUnavailable(action: () => unknown, file: string): void {
    let thrown: unknown;
    try {
      action();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RateLimiterUnavailableError);
    const message = (thrown as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('denied until it works');
  }

  it('throws, naming the file and the fix, when the database is damaged', () => {
    const file = databaseFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'this is not a database, it is garbage '.repeat(200));
    const limiter = limiterFor(file);
    expectUnavailable(() => limiter.tryAcquire('emails'), file);
    expectUnavailable(() => limiter.peek('emails'), file);
    expect(() => limiter.tryAcquire('emails')).toThrow('delete it');

    // Following the advice is enough, without a restart.
    fs.rmSync(file);
    expect(limiter.tryAcquire('emails').allowed).toBe(true);
  });

  it('throws when the database cannot be created', () => {
    const folder = makeTempFolder('omnipalm-rate-');
    fs.writeFileSync(path.join(folder, 'state'), 'a file where the folder should be');
    const file = path.join(folder, 'state', 'rate-limits.sqlite');
    expectUnavailable(() => limiterFor(file).tryAcquire('emails'), file);
  });

  // Root ignores file modes, so as root the file is made immutable instead (chattr +i, which
  // binds root too); where neither works the test says why it did not run.
  it.skipIf(process.platform === 'win32')('throws when the database is read-only', (context) => {
    const file = databaseFile();
    limiterFor(file).tryAcquire('emails');
    open.pop()?.close();
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      for (const name of [file, `${file}-wal`, `${file}-shm`, path.dirname(file)]) {
        if (!fs.existsSync(name)) continue;
        if (spawnSync('chattr', ['+i', name]).status !== 0) {
          console.warn(
            'read-only database test did not run: running as root and chattr +i is unavailable here',
          );
          context.skip();
        }
      }
    } else {
      fs.chmodSync(file, 0o400);
    }
    try {
      expectUnavailable(() => limiterFor(file).tryAcquire('emails'), file);
    } finally {
      if (isRoot) {
        for (const name of [file, `${file}-wal`, `${file}-shm`, path.dirname(file)]) {
          if (fs.existsSync(name)) spawnSync('chattr', ['-i', name]);
        }
      }
    }
  });

  it('throws when a query fails on an open database', () => {
    const file = databaseFile();
    const limiter = limiterFor(file);
    expect(limiter.tryAcquire('emails').allowed).toBe(true);
    const db = new Database(file);
    db.exec('DROP TABLE attempts');
    db.close();
    expectUnavailable(() => limiter.tryAcquire('emails'), file);
  });

  it('throws on a symlink instead of following it', () => {
    const folder = makeTempFolder('omnipalm-rate-');
    const target = path.join(folder, 'elsewhere.sqlite');
    const file = path.join(folder, 'rate-limits.sqlite');
    fs.symlinkSync(target, file);
    expectUnavailable(() => limiterFor(file).tryAcquire('emails'), file);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('throws on an invalid limit, an unknown category, or after close', () => {
    const file = databaseFile();
    expect(() => limiterFor(file, { emails: Number.NaN }).tryAcquire('emails')).toThrow(
      'security.rate_limits.emails_per_hour: expected a whole number of 0 or more, got NaN',
    );
    expect(() => limiterFor(file, { emails: -1 }).tryAcquire('emails')).toThrow('got -1');
    expect(() => limiterFor(file).tryAcquire('sms' as RateCategory)).toThrow('unknown category');
    const closed = limiterFor(file);
    closed.close();
    expectUnavailable(() => closed.tryAcquire('emails'), file);
  });
});
