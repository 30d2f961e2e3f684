// Opens one of OmniPalm's SQLite files and brings its schema up to date. The files hold the
// user's activity, so they are private (file 0600, a folder we create 0700) and never reached
// through a symlink. A file written by a newer OmniPalm is refused rather than guessed at:
// running old code on a newer schema could misread it or write rows the newer code rejects.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Migration } from './migration.js';
import { MIGRATIONS } from './migrations/index.js';

/** How long one connection waits for another's write transaction before failing. */
export const BUSY_TIMEOUT_MS = 5000;

export class DatabaseTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly fileVersion: number,
    readonly appVersion: number,
  ) {
    super(
      `${file}: the database is at schema version ${fileVersion}, but this OmniPalm knows ` +
        `versions up to ${appVersion} only: a newer OmniPalm wrote it. Update OmniPalm, or ` +
        'move the file aside to start with an empty one.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** Opens (creating if needed) a private SQLite file in WAL mode and applies the migrations. */
export function openDatabase(
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Database.Database {
  const resolved = path.resolve(file);
  checkMigrations(migrations);
  preparePrivateFile(resolved);
  let db: Database.Database;
  try {
    db = new Database(resolved, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw cannotOpen(resolved, error);
  }
  try {
    // WAL: the renderer's reads never wait for the agent's writes. WAL + NORMAL survives an
    // app crash intact; a power cut may lose the last commits, not corrupt the file.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // A file edited by someone else must not be able to call our functions from its own
    // triggers or views (SQLite's advice for any app that opens files it did not write alone).
    db.pragma('trusted_schema = OFF');
    migrate(db, migrations, resolved);
  } catch (error) {
    db.close();
    if (error instanceof DatabaseTooNewError) throw error;
    throw cannotOpen(resolved, error);
  }
  return db;
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations the database has not had yet, in order, in one IMMEDIATE transaction:
 * a failure leaves it at its old version, and two processes opening it at once cannot both
 * run the same step.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  file: string = db.name,
): void {
  checkMigrations(migrations);
  const latest = migrations.length;
  db.transaction(() => {
    const current = schemaVersion(db);
    if (current > latest) throw new DatabaseTooNewError(file, current, latest);
    for (const migration of migrations.slice(current)) {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
}

/** The list must read 1, 2, 3 …: a gap or a swap would skip or repeat a step on some machine. */
function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration "${migration.name}" is at position ${index + 1} of the list but has version ` +
          `${migration.version}: versions must run 1, 2, 3 … in order`,
      );
    }
  });
}

function cannotOpen(file: string, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `${file}: cannot open the database (${why}). If it is damaged, move it aside; if it or its ` +
      'folder is not writable, give your user read and write access to both.',
    { cause },
  );
}

/** Creates the folder (0700) and file (0600); SQLite gives its -wal and -shm files the same mode. */
function preparePrivateFile(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // 'wx' does not follow a symlink planted at the name to make us create a file elsewhere.
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotOpen(file, error);
  }
  for (const name of [file, `${file}-wal`, `${file}-shm`]) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(name);
    } catch {
      continue; // no -wal or -shm yet
    }
    // A symlink could send the user's activity to a file someone else can read.
    if (!stat.isFile()) {
      throw new Error(`${name}: expected a regular file, found something else; remove it`);
    }
    // Others must not read the user's activity: only ever remove permission bits here.
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      fs.chmodSync(name, stat.mode & 0o600);
    }
  }
}
