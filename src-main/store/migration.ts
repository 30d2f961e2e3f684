// One step of a database's schema. Each lives in its own numbered file under migrations/, a
// few lines long, and is never edited once released: a change is a new file with the next
// number, so every copy of OmniPalm walks every database through the same steps.
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3 …: the schema version (PRAGMA user_version) the database has once it ran. */
  readonly version: number;
  readonly name: string;
  /** Runs inside the transaction that also records the version: it must not commit. */
  up(db: Database.Database): void;
}
