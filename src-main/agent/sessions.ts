// Conversations as the front doors use them (issue 17): the SessionStore's reads and changes,
// with its errors said as AgentErrors (so the server's status table and the CLI's exit codes
// need no knowledge of the store) and every change announced to live front ends.
//
//   const sessions = Sessions.open(home);          // the CLI: its own connection
//   sessions.list({ text: 'logs' }); sessions.rename(id, 'Old logs'); sessions.delete(id);
//   core.sessions                                  // the same, on the core's connection
import type Database from 'better-sqlite3';
import { openDatabase } from '../store/database.js';
import {
  SessionStateError,
  SessionStore,
  UnknownSessionError,
  type Session,
  type SessionListPage,
  type SessionListQuery,
  type SessionSummary,
  type TurnsPage,
} from '../store/sessionStore.js';
import { timelineDatabaseFile } from '../store/timelineStore.js';
import { AgentError } from './agentErrors.js';

/** What a delete answers: the stored conversation is gone, the audit log is not. */
export const DELETE_NOTE =
  'the session, its turns and their stored messages are deleted; the audit log is append-only and keeps the lines its turns wrote';

export interface SessionChange {
  /** The session as it is now; absent when it was deleted. */
  session?: SessionSummary;
  sessionId: string;
}

/** The store's refusals as AgentErrors; anything else (a bug, a broken file) unchanged. */
export function sessionError(error: unknown): unknown {
  if (error instanceof UnknownSessionError) {
    return new AgentError('session_not_found', error.message, { cause: error });
  }
  if (error instanceof SessionStateError) {
    const busy = /still running/.test(error.message);
    return new AgentError(busy ? 'session_busy' : 'invalid_session_request', error.message, {
      cause: error,
    });
  }
  return error;
}

function mapped<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw sessionError(error);
  }
}

export class Sessions {
  readonly #listeners = new Set<(change: SessionChange) => void>();

  constructor(
    /** The store itself, for the agent loop's writes (turns, messages, taint). */
    readonly store: SessionStore,
    private readonly closeDb: () => void = () => undefined,
  ) {}

  /** A connection of its own to $OMNIPALM_HOME's database (the CLI's `sessions` commands). */
  static open(home: string): Sessions {
    const db: Database.Database = openDatabase(timelineDatabaseFile(home));
    return new Sessions(new SessionStore(db), () => db.close());
  }

  /** Called after every change made through this object or the agent's turns. */
  onChange(listener: (change: SessionChange) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Announces the session's current state (after a turn started or ended, a taint). */
  changed(sessionId: string): void {
    let session: SessionSummary | undefined;
    try {
      const { turnCount: _count, runningTurnId: _running, ...summary } = this.store.get(sessionId);
      session = summary;
    } catch {
      session = undefined;
    }
    this.#emit(session ? { session, sessionId } : { sessionId });
  }

  list(query: SessionListQuery = {}): SessionListPage {
    return mapped(() => this.store.list(query));
  }

  get(sessionId: string): Session {
    return mapped(() => this.store.get(sessionId));
  }

  /** The newest page of turns by default; `beforeSeq` (a page's nextBeforeSeq) for older. */
  turns(sessionId: string, beforeSeq?: number, limit?: number): TurnsPage {
    return mapped(() => this.store.turnsPage(sessionId, beforeSeq, limit));
  }

  rename(sessionId: string, title: string): SessionSummary {
    mapped(() => this.store.rename(sessionId, title));
    this.changed(sessionId);
    const { turnCount: _count, runningTurnId: _running, ...summary } = this.get(sessionId);
    return summary;
  }

  /** Deletes the session; refuses while one of its turns runs (stop it first). */
  delete(sessionId: string): { deleted: true; note: string } {
    const session = this.get(sessionId);
    if (session.runningTurnId !== undefined) {
      throw new AgentError(
        'session_busy',
        `session ${JSON.stringify(sessionId)}: a turn is still running; stop it before deleting the session`,
      );
    }
    mapped(() => this.store.delete(sessionId));
    this.#emit({ sessionId });
    return { deleted: true, note: DELETE_NOTE };
  }

  close(): void {
    this.#listeners.clear();
    this.closeDb();
  }

  #emit(change: SessionChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // A failing front end must not undo or stop the change.
      }
    }
  }
}
