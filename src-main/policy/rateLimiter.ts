// Sliding-window rate limits (security.rate_limits.*), kept in a SQLite file. They stop a
// runaway or prompt-injected agent from mass-mailing, hammering an API or churning files and
// shells faster than a person could notice. The counts live on disk, not in memory, so that
// restarting OmniPalm — or running a second copy of it — does not hand out a fresh allowance.
//
// Fail closed: when the database cannot be opened or a query fails, tryAcquire and peek THROW a
// RateLimiterUnavailableError naming the file and the fix. They never answer allowed: true
// without having counted, and a throw cannot be mistaken for an ordinary "limit reached".
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type RateCategory =
  'emails' | 'api_calls' | 'file_operations' | 'shell_commands' | 'mcp_calls';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const RATE_WINDOWS_MS: Record<RateCategory, number> = {
  emails: HOUR_MS,
  api_calls: MINUTE_MS,
  file_operations: MINUTE_MS,
  shell_commands: MINUTE_MS,
  mcp_calls: MINUTE_MS,
};

/** The config key that sets each limit, named in every message about it. */
export const RATE_LIMIT_CONFIG_KEYS: Record<RateCategory, string> = {
  emails: 'security.rate_limits.emails_per_hour',
  api_calls: 'security.rate_limits.api_calls_per_minute',
  file_operations: 'security.rate_limits.file_operations_per_minute',
  shell_commands: 'security.rate_limits.shell_commands_per_minute',
  mcp_calls: 'security.rate_limits.mcp_calls_per_minute',
};

export interface RateLimitResult {
  allowed: boolean;
  category: RateCategory;
  limit: number;
  /** Attempts counted in the window, including this one when it was allowed. */
  used: number;
  windowMs: number;
  /** When denied: when enough attempts have left the window for one more to be allowed. */
  nextSlotAt?: Date;
}

export interface RateLimiterOptions {
  databaseFile: string;
  /** Read on every call, so a config change applies without a restart. */
  limits: () => Record<RateCategory, number>;
  /** Wall-clock milliseconds: the windows must survive a restart, so no monotonic clock. */
  now?: () => number;
}

export class RateLimiterUnavailableError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `rate limits: cannot use ${file} (${why}); actions with a rate limit are denied until it ` +
        'works. If the file is damaged, delete it (this only resets the counts); if it or its ' +
        'folder is not writable, give your user read and write access to both.',
      { cause },
    );
    this.name = 'RateLimiterUnavailableError';
  }
}

const SCHEMA_VERSION = 1;
// How long one process waits for another's transaction before giving up (and failing closed).
const BUSY_TIMEOUT_MS = 5000;

interface Window {
  category: RateCategory;
  now: number;
  since: number;
}

/** One open connection, its statements and the two transactions built from them. */
class Store {
  readonly #db: Database.Database;
  readonly acquire: (window: Window, limit: number) => RateLimitResult;
  readonly peek: (window: Window, limit: number) => RateLimitResult;

  constructor(file: string) {
    const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL survives an app crash intact; a power cut may forget the last few attempts,
      // which is a far smaller hole than a sync on every attempt is worth.
      db.pragma('synchronous = NORMAL');
      db.transaction(() => migrate(db)).immediate();

      const clampFuture = db.prepare<Window>(
        'UPDATE attempts SET at_ms = @now WHERE category = @category AND at_ms > @now',
      );
      const prune = db.prepare<Window>(
        'DELETE FROM attempts WHERE category = @category AND at_ms <= @since',
      );
      const count = db
        .prepare<Window, number>(
          'SELECT COUNT(*) FROM attempts WHERE category = @category AND at_ms > @since',
        )
        .pluck();
      const startOfNth = db
        .prepare<Window & { offset: number }, number>(
          'SELECT MIN(at_ms, @now) FROM attempts WHERE category = @category AND at_ms > @since ' +
            'ORDER BY at_ms LIMIT 1 OFFSET @offset',
        )
        .pluck();
      const insert = db.prepare<Window>(
        'INSERT INTO attempts (category, at_ms) VALUES (@category, @now)',
      );

      const answer = (window: Window, limit: number): RateLimitResult => {
        const used = count.get(window) ?? 0;
        const windowMs = RATE_WINDOWS_MS[window.category];
        const base = { category: window.category, limit, windowMs };
        if (used < limit) return { ...base, allowed: true, used: used + 1 };
        // With the limit just lowered, more may be in the window than allowed: a slot frees when
        // the attempt that leaves limit - 1 behind it expires. A limit of 0 never frees one.
        if (limit === 0) return { ...base, allowed: false, used };
        const start = startOfNth.get({ ...window, offset: used - limit });
        if (start === undefined) return { ...base, allowed: false, used };
        return { ...base, allowed: false, used, nextSlotAt: new Date(start + windowMs) };
      };
      const acquire = db.transaction((window: Window, limit: number) => {
        // A row stamped in the future (the clock was set back) counts as made now: it still
        // counts, yet cannot block its category for longer than one window.
        clampFuture.run(window);
        prune.run(window);
        const result = answer(window, limit);
        if (result.allowed) insert.run(window);
        return result;
      });
      const look = db.transaction(answer);

      // IMMEDIATE takes the write lock before the count, so no other connection or process can
      // slip an insert between our count and our insert: the limit holds exactly under any race.
      this.acquire = (window, limit) => acquire.immediate(window, limit);
      this.peek = (window, limit) => look.deferred(window, limit);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
  }

  close(): void {
    this.#db.close();
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number' || version > SCHEMA_VERSION) {
    throw new Error(`written by a newer OmniPalm (schema ${String(version)})`);
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`
    CREATE TABLE attempts (id INTEGER PRIMARY KEY, category TEXT NOT NULL, at_ms INTEGER NOT NULL);
    CREATE INDEX attempts_by_category_time ON attempts (category, at_ms);
    PRAGMA user_version = ${SCHEMA_VERSION};
  `);
}

/** Creates the folder (0700) and file (0600) so that SQLite, and its -wal/-shm files, inherit 0600. */
function preparePrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx' will not follow a symlink planted at the name to make us create a file elsewhere.
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = fs.lstatSync(file);
  // A symlink could point the counts at a file someone else controls, or one they can reset.
  if (!stat.isFile()) throw new Error('not a regular file');
  // Others must not read the user's activity or reset the counts; only ever remove bits here.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    fs.chmodSync(file, stat.mode & 0o600);
  }
}

export class RateLimiter {
  readonly #file: string;
  readonly #limits: () => Record<RateCategory, number>;
  readonly #now: () => number;
  #store: Store | undefined;
  #closed = false;

  constructor(options: RateLimiterOptions) {
    this.#file = path.resolve(options.databaseFile);
    this.#limits = options.limits;
    this.#now = options.now ?? Date.now;
  }

  /** Counts the attempt and answers allowed only if it fits the window; a denial costs nothing. */
  tryAcquire(category: RateCategory): RateLimitResult {
    return this.#withStore(category, (store, window, limit) => store.acquire(window, limit));
  }

  /** The answer tryAcquire would give now, without taking a slot. */
  peek(category: RateCategory): RateLimitResult {
    return this.#withStore(category, (store, window, limit) => store.peek(window, limit));
  }

  close(): void {
    this.#closed = true;
    this.#store?.close();
    this.#store = undefined;
  }

  #withStore(
    category: RateCategory,
    action: (store: Store, window: Window, limit: number) => RateLimitResult,
  ): RateLimitResult {
    if (this.#closed) {
      throw new RateLimiterUnavailableError(this.#file, 'the rate limiter is closed');
    }
    // Categories can arrive from IPC or a tool call as plain strings: an unknown one has no
    // window, and NaN arithmetic would let it through.
    if (!Object.hasOwn(RATE_WINDOWS_MS, category)) {
      throw new Error(`rate limits: unknown category ${JSON.stringify(category)}`);
    }
    const limit = this.#limits()[category];
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
      throw new Error(
        `${RATE_LIMIT_CONFIG_KEYS[category]}: expected a whole number of 0 or more, got ${String(limit)}`,
      );
    }
    const now = this.#now();
    if (!Number.isFinite(now)) throw new Error(`rate limits: the clock returned ${now}`);
    const window = { category, now, since: now - RATE_WINDOWS_MS[category] };

    try {
      this.#store ??= this.#open();
      return action(this.#store, window, limit);
    } catch (error) {
      // Drop the connection so that the next call reopens the file: deleting a damaged file is
      // then enough to recover, without a restart.
      this.#store?.close();
      this.#store = undefined;
      throw new RateLimiterUnavailableError(this.#file, error);
    }
  }

  #open(): Store {
    preparePrivateFile(this.#file);
    return new Store(this.#file);
  }
}
