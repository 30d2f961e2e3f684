// Conversations: the sessions sidebar's list and the open session's transcript. The prompt bar
// continues the open session (session.continue) or, with none open, starts one (task.start);
// the running turn streams through the task slice and is re-read from main when it ends.
import type { EventPayloadOf, OmniPalmBridge, ResponseOf } from '../../src-preload/contract';
import { errorMessage, type SliceCreator } from './appState';

export type SessionSummary = EventPayloadOf<'session.updated'>;
export type SessionTurns = ResponseOf<'session.turns'>;
export type SessionTurn = SessionTurns['turns'][number];
export type TurnStep = SessionTurn['steps'][number];

/** Sessions per sidebar page. */
export const SESSION_PAGE_SIZE = 50;
/** Turns per transcript page; older ones page in. */
export const TURN_PAGE_SIZE = 20;
/** A session id as the contract accepts it: a stored id that is not one is ignored. */
export const SESSION_ID_PATTERN = /^[0-9a-f]{32}$/;

export interface SessionList {
  readonly state: 'idle' | 'loading' | 'loaded' | 'failed';
  /** Newest activity first. */
  readonly sessions: readonly SessionSummary[];
  readonly nextCursor: string | undefined;
  /** The search the list answers ('' for all). */
  readonly text: string;
  readonly error: string | null;
}

export interface Transcript {
  readonly sessionId: string;
  readonly state: 'loading' | 'loaded' | 'failed';
  readonly session: SessionTurns['session'] | null;
  /** Oldest first. */
  readonly turns: readonly SessionTurn[];
  readonly nextBeforeSeq: number | undefined;
  readonly loadingOlder: boolean;
  readonly error: string | null;
}

export interface SessionSlice {
  sessionList: SessionList;
  /** The session the prompt bar continues; null: the next prompt starts a new one. */
  openSessionId: string | null;
  transcript: Transcript | null;
  /** Reads the first page of sessions matching `text` ('' for all). */
  searchSessions: (text: string) => Promise<void>;
  loadMoreSessions: () => Promise<void>;
  /** Opens a session (its last page of turns); null starts over with no session open. */
  openSession: (sessionId: string | null) => Promise<void>;
  /** Re-reads the open session's newest page, keeping older pages already shown. */
  refreshTranscript: () => Promise<void>;
  loadOlderTurns: () => Promise<void>;
  /** Rejects with the reason (shown beside the title). */
  renameSession: (sessionId: string, title: string) => Promise<void>;
  /** Resolves to main's note (the audit log keeps its lines); rejects with the reason. */
  deleteSession: (sessionId: string) => Promise<string>;
  sessionUpdated: (summary: SessionSummary) => void;
  sessionDeleted: (sessionId: string) => void;
}

const EMPTY_LIST: SessionList = {
  state: 'idle',
  sessions: [],
  nextCursor: undefined,
  text: '',
  error: null,
};

function matchesSearch(session: SessionSummary, text: string): boolean {
  // Main also matches prompts; here only the title is known, so a live update of a session
  // not on the list is added only without a search (the search re-reads from main anyway).
  return text === '' || session.title.toLowerCase().includes(text.toLowerCase());
}

/** Newest first, one entry per id, `summary` replacing its old entry. */
function withSummary(
  sessions: readonly SessionSummary[],
  summary: SessionSummary,
): SessionSummary[] {
  return [summary, ...sessions.filter((session) => session.id !== summary.id)].sort(
    (a, b) => b.updatedAt - a.updatedAt,
  );
}

/** Turns by seq, the newer copy of a turn winning. */
function mergeTurns(older: readonly SessionTurn[], newer: readonly SessionTurn[]): SessionTurn[] {
  const bySeq = new Map<number, SessionTurn>();
  for (const turn of [...older, ...newer]) bySeq.set(turn.seq, turn);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export function createSessionSlice(bridge: OmniPalmBridge): SliceCreator<SessionSlice> {
  return (set, get) => {
    let listGeneration = 0;
    let transcriptGeneration = 0;

    const setTranscript = (sessionId: string, change: (t: Transcript) => Transcript) => {
      const current = get().transcript;
      if (current && current.sessionId === sessionId) set({ transcript: change(current) });
    };

    const readTranscript = async (sessionId: string, keepOlder: boolean) => {
      const generation = ++transcriptGeneration;
      try {
        const page = await bridge.turns({ sessionId, limit: TURN_PAGE_SIZE });
        if (generation !== transcriptGeneration || get().openSessionId !== sessionId) return;
        const previous = get().transcript;
        const kept = keepOlder && previous?.sessionId === sessionId ? previous : null;
        const firstNew = page.turns[0]?.seq;
        const olderShown = kept
          ? kept.turns.filter((turn) => firstNew === undefined || turn.seq < firstNew)
          : [];
        set({
          transcript: {
            sessionId,
            state: 'loaded',
            session: page.session,
            turns: mergeTurns(olderShown, page.turns),
            nextBeforeSeq: kept && olderShown.length > 0 ? kept.nextBeforeSeq : page.nextBeforeSeq,
            loadingOlder: false,
            error: null,
          },
        });
        set((state) => ({
          sessionList: {
            ...state.sessionList,
            sessions: state.sessionList.sessions.map((session) =>
              session.id === sessionId ? stripTurnFields(page.session) : session,
            ),
          },
        }));
      } catch (error) {
        if (generation !== transcriptGeneration || get().openSessionId !== sessionId) return;
        if (keepOlder) {
          setTranscript(sessionId, (t) => ({ ...t, error: errorMessage(error) }));
          return;
        }
        // A session that cannot be opened (deleted elsewhere, another home) is not continued:
        // the reason stays on screen and the next prompt starts a new session.
        set({
          openSessionId: null,
          transcript: {
            sessionId,
            state: 'failed',
            session: null,
            turns: [],
            nextBeforeSeq: undefined,
            loadingOlder: false,
            error: errorMessage(error),
          },
        });
      }
    };

    return {
      sessionList: EMPTY_LIST,
      openSessionId: null,
      transcript: null,
      searchSessions: async (text) => {
        const generation = ++listGeneration;
        set((state) => ({ sessionList: { ...state.sessionList, state: 'loading', text } }));
        try {
          const page = await bridge.recent({
            limit: SESSION_PAGE_SIZE,
            ...(text === '' ? {} : { text }),
          });
          if (generation !== listGeneration) return;
          set({
            sessionList: {
              state: 'loaded',
              sessions: page.sessions,
              nextCursor: page.nextCursor,
              text,
              error: null,
            },
          });
        } catch (error) {
          if (generation !== listGeneration) return;
          set((state) => ({
            sessionList: { ...state.sessionList, state: 'failed', error: errorMessage(error) },
          }));
        }
      },
      loadMoreSessions: async () => {
        const { nextCursor, text, state } = get().sessionList;
        if (nextCursor === undefined || state === 'loading') return;
        const generation = ++listGeneration;
        set((s) => ({ sessionList: { ...s.sessionList, state: 'loading' } }));
        try {
          const page = await bridge.recent({
            limit: SESSION_PAGE_SIZE,
            cursor: nextCursor,
            ...(text === '' ? {} : { text }),
          });
          if (generation !== listGeneration) return;
          set((s) => ({
            sessionList: {
              ...s.sessionList,
              state: 'loaded',
              sessions: [
                ...s.sessionList.sessions,
                ...page.sessions.filter(
                  (session) => !s.sessionList.sessions.some((known) => known.id === session.id),
                ),
              ],
              nextCursor: page.nextCursor,
              error: null,
            },
          }));
        } catch (error) {
          if (generation !== listGeneration) return;
          set((s) => ({
            sessionList: { ...s.sessionList, state: 'failed', error: errorMessage(error) },
          }));
        }
      },
      openSession: async (sessionId) => {
        transcriptGeneration++;
        if (sessionId === null) {
          set({ openSessionId: null, transcript: null });
          return;
        }
        set({
          openSessionId: sessionId,
          transcript: {
            sessionId,
            state: 'loading',
            session: null,
            turns: [],
            nextBeforeSeq: undefined,
            loadingOlder: false,
            error: null,
          },
        });
        await readTranscript(sessionId, false);
      },
      refreshTranscript: async () => {
        const sessionId = get().openSessionId;
        if (sessionId !== null) await readTranscript(sessionId, true);
      },
      loadOlderTurns: async () => {
        const transcript = get().transcript;
        if (!transcript || transcript.nextBeforeSeq === undefined || transcript.loadingOlder) {
          return;
        }
        const { sessionId, nextBeforeSeq } = transcript;
        setTranscript(sessionId, (t) => ({ ...t, loadingOlder: true }));
        try {
          const page = await bridge.turns({
            sessionId,
            beforeSeq: nextBeforeSeq,
            limit: TURN_PAGE_SIZE,
          });
          setTranscript(sessionId, (t) => ({
            ...t,
            turns: mergeTurns(page.turns, t.turns),
            nextBeforeSeq: page.nextBeforeSeq,
            loadingOlder: false,
            error: null,
          }));
        } catch (error) {
          setTranscript(sessionId, (t) => ({
            ...t,
            loadingOlder: false,
            error: `Could not read older turns: ${errorMessage(error)}`,
          }));
        }
      },
      renameSession: async (sessionId, title) => {
        const summary = await bridge.rename({ sessionId, title });
        get().sessionUpdated(summary);
      },
      deleteSession: async (sessionId) => {
        const { note } = await bridge.delete({ sessionId });
        get().sessionDeleted(sessionId);
        return note;
      },
      sessionUpdated: (summary) => {
        set((state) => {
          const list = state.sessionList;
          const listed = list.sessions.some((session) => session.id === summary.id);
          const sessions =
            listed || matchesSearch(summary, list.text)
              ? withSummary(list.sessions, summary)
              : list.sessions;
          const transcript =
            state.transcript?.sessionId === summary.id && state.transcript.session
              ? { ...state.transcript, session: { ...state.transcript.session, ...summary } }
              : state.transcript;
          return { sessionList: { ...list, sessions }, transcript };
        });
      },
      sessionDeleted: (sessionId) => {
        set((state) => ({
          sessionList: {
            ...state.sessionList,
            sessions: state.sessionList.sessions.filter((session) => session.id !== sessionId),
          },
          ...(state.openSessionId === sessionId ? { openSessionId: null, transcript: null } : {}),
        }));
      },
    };
  };
}

function stripTurnFields(session: SessionTurns['session']): SessionSummary {
  const { id, title, createdAt, updatedAt, costUsd, untrustedSources } = session;
  return { id, title, createdAt, updatedAt, costUsd, untrustedSources };
}
