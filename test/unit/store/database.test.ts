import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DatabaseTooNewError,
  migrate,
  openDatabase,
  schemaVersion,
} from '../../../src-main/store/database.js';
import type { Migration } from '../../../src-main/store/migration.js';
import { MIGRATIONS } from '../../../src-main/store/migrations/index.js';
import { makeTempFolder } from '../../support/tempFolders.js';

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

function track(db: Database.Database): Database.Database {
  open.push(db);
  return db;
}

const posix = process.platform !== 'win32';
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('openDatabase', () => {
  it('creates a missing folder 0700 and a file 0600, and SQLite gives -wal and -shm 0600 too', () => {
    const folder = path.join(makeTempFolder(), 'state', 'nested');
    const file = path.join(folder, 'timeline.sqlite');
    const db = track(openDatabase(file));
    db.prepare(
      "INSERT INTO timeline (time, kind, level, summary) VALUES (1, 'config', 'INFO', 'x')",
    ).run();
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    if (posix) {
      expect(mode(folder)).toBe(0o700);
      expect(mode(path.dirname(folder))).toBe(0o700);
      for (const name of [file, `${file}-wal`, `${file}-shm`]) expect(mode(name)).toBe(0o600);
    }
  });

  it.runIf(posix)('takes group and other access away from an existing file', () => {
    const file = path.join(makeTempFolder(), 'timeline.sqlite');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o666);
    track(openDatabase(file));
    expect(mode(file)).toBe(0o600);
  });

  it.runIf(posix)(
    'refuses a symlink at the file name, so the data cannot be sent elsewhere',
    () => {
      const folder = makeTempFolder();
      const elsewhere = path.join(folder, 'elsewhere.sqlite');
      fs.writeFileSync(elsewhere, '');
      const file = path.join(folder, 'timeline.sqlite');
      fs.symlinkSync(elsewhere, file);
      expect(() => openDatabase(file)).toThrow(`${file}: expected a regular file`);
    },
  );

  it('turns on WAL, foreign keys and a busy timeout, and migrates to the latest version', () => {
    const db = track(openDatabase(path.join(makeTempFolder(), 'timeline.sqlite')));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('trusted_schema', { simple: true })).toBe(0);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
  });

  it('opens a database again without running its migrations twice', () => {
    const file = path.join(makeTempFolder(), 'timeline.sqlite');
    openDatabase(file).close();
    const db = track(openDatabase(file));
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer OmniPalm, naming the file and both versions', () => {
    const file = path.join(makeTempFolder(), 'timeline.sqlite');
    const newer = new Database(file);
    newer.pragma('user_version = 99');
    newer.close();
    let thrown: unknown;
    try {
      openDatabase(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DatabaseTooNewError);
    const message = (thrown as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('schema version 99');
    expect(message).toContain(`up to ${MIGRATIONS.length} only`);
    // Nothing was changed in the newer file.
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    check.close();
  });

  it('names the file when it is not a database', () => {
    const file = path.join(makeTempFolder(), 'timeline.sqlite');
    fs.writeFileSync(file, 'this is not a database, just text that is long enough to matter');
    expect(() => openDatabase(file)).toThrow(`${file}: cannot open the database`);
  });
});

describe('migrate', () => {
  const step = (version: number, sql: string): Migration => ({
    version,
    name: `step ${version}`,
    up: (db) => db.exec(sql),
  });

  it('runs only the migrations the database has not had, in order', () => {
    const db = track(new Database(path.join(makeTempFolder(), 'a.sqlite')));
    const first = step(1, 'CREATE TABLE a (x)');
    migrate(db, [first]);
    expect(schemaVersion(db)).toBe(1);
    migrate(db, [first, step(2, 'CREATE TABLE b (x)')]);
    expect(schemaVersion(db)).toBe(2);
  });

  it('leaves the database at its old version when a migration fails', () => {
    const db = track(new Database(path.join(makeTempFolder(), 'a.sqlite')));
    const broken = [step(1, 'CREATE TABLE a (x)'), step(2, 'CREATE TABLE nonsense (')];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(0);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all();
    expect(tables).toEqual([]);
  });

  it('refuses a list whose versions do not run 1, 2, 3 …', () => {
    const db = track(new Database(':memory:'));
    expect(() => migrate(db, [step(1, ''), step(3, '')])).toThrow(
      'migration "step 3" is at position 2 of the list but has version 3',
    );
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(
      MIGRATIONS.map((_, index) => index + 1),
    );
  });
});
