// TerminalHub — the agent's shell sessions as the UI's terminal view sees them. Each task's
// ShellSession is registered here; its output is pushed to every attached front door as
// `terminal.data` events, and the view's calls (list, resize, input) are answered by
// `handlers`, typed against the contract. What the user types is the user's own: it is
// audited as a user_command via the terminal, never as something the agent did.
import { randomUUID } from 'node:crypto';
import type {
  ContractHandlers,
  EventEmitter,
  EventName,
  EventPayloadOf,
  ResponseOf,
} from '../../src-preload/contract.js';
import type { AuditEvent } from '../audit/auditEvent.js';
import type { InputResult } from '../tools/shell/shellSession.js';
import { AgentError } from './agentErrors.js';

/** What the hub needs of a session (ShellSession has it all). */
export interface TerminalSession {
  readonly cwd: string;
  readonly sandboxed: boolean;
  readonly size: { cols: number; rows: number };
  onData(listener: (chunk: string) => void): () => void;
  resize(cols: number, rows: number): void;
  writeInput(text: string): InputResult;
}

export type TerminalChannel = 'terminal.list' | 'terminal.resize' | 'terminal.input';
export type TerminalHandlers = Pick<ContractHandlers, TerminalChannel>;
export type TerminalInfo = ResponseOf<'terminal.list'>['sessions'][number];

export interface TerminalHubOptions {
  /** Where user input is recorded (the audit trail). */
  audit: (event: AuditEvent) => void;
  /** A first front door to push events to; more attach with subscribe(). */
  emit?: EventEmitter;
}

interface Entry {
  session: TerminalSession;
  taskId: string;
  sandboxed: boolean;
  stopListening: () => void;
  conversation?: string;
}

/**
 * Control characters, DEL, C1 controls and bidirectional overrides shown as text: a line the
 * user typed is logged as typed, and cannot rewrite the log line when it is read in a terminal
 * (an escape sequence) or reorder what a reader sees (Trojan Source, U+202E).
 */
export function showControlCharacters(text: string): string {
  let shown = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x20) shown += `^${String.fromCharCode(code + 0x40)}`;
    else if (code === 0x7f) shown += '^?';
    else if (INVISIBLE.some(([from, to]) => code >= from && code <= to)) {
      shown += `\\u{${code.toString(16)}}`;
    } else shown += char;
  }
  return shown;
}

/** C1 controls and the bidirectional marks, embeddings, overrides and isolates. */
const INVISIBLE: readonly (readonly [number, number])[] = [
  [0x80, 0x9f],
  [0x61c, 0x61c],
  [0x200e, 0x200f],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
];

export class TerminalHub {
  private readonly sessions = new Map<string, Entry>();
  private readonly sinks = new Set<EventEmitter>();

  constructor(private readonly options: TerminalHubOptions) {
    if (options.emit) this.sinks.add(options.emit);
  }

  /** Attaches a front door (a window, a WebSocket client); returns the function that detaches. */
  subscribe(emit: EventEmitter): () => void {
    this.sinks.add(emit);
    return () => this.sinks.delete(emit);
  }

  /** Makes a session visible to the view; returns its id. Announced with `terminal.opened`. */
  register(
    session: TerminalSession,
    /** `conversation`: the agent session whose turn runs the shell (audited with its input). */
    details: { taskId: string; sandboxed?: boolean; conversation?: string },
  ): string {
    const sessionId = randomUUID();
    const sandboxed = details.sandboxed ?? session.sandboxed;
    const stopListening = session.onData((data) => this.emit('terminal.data', { sessionId, data }));
    this.sessions.set(sessionId, {
      session,
      taskId: details.taskId,
      sandboxed,
      stopListening,
      ...(details.conversation === undefined ? {} : { conversation: details.conversation }),
    });
    this.emit('terminal.opened', {
      sessionId,
      taskId: details.taskId,
      cwd: session.cwd,
      sandboxed,
    });
    return sessionId;
  }

  /**
   * Forgets a session (call it after the session's dispose, which flushes the last output);
   * announced with `terminal.exit`. exitCode null: the session was closed, not exited.
   */
  unregister(sessionId: string, exitCode: number | null = null): void {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    entry.stopListening();
    this.sessions.delete(sessionId);
    this.emit('terminal.exit', { sessionId, exitCode });
  }

  list(): TerminalInfo[] {
    return [...this.sessions].map(([sessionId, entry]) => ({
      sessionId,
      taskId: entry.taskId,
      cwd: entry.session.cwd,
      sandboxed: entry.sandboxed,
      ...entry.session.size,
    }));
  }

  /** The contract's terminal.* calls, for the IPC router and the headless server. */
  readonly handlers: TerminalHandlers = {
    'terminal.list': () => ({ sessions: this.list() }),
    'terminal.resize': ({ sessionId, cols, rows }) => {
      this.entry(sessionId).session.resize(cols, rows);
      return { ok: true };
    },
    'terminal.input': ({ sessionId, data }) => {
      const entry = this.entry(sessionId);
      let result: InputResult;
      try {
        result = entry.session.writeInput(data);
      } catch (error) {
        return { accepted: false, reason: (error as Error).message };
      }
      if (!result.accepted) return { accepted: false, reason: result.reason };
      // Audited when a line is run (Enter) or stopped (Ctrl-C), not per keystroke: a half-typed
      // line that is erased never ran.
      const typed = [...result.submitted, ...(result.interrupted ? ['\x03'] : [])];
      for (const text of typed) {
        this.options.audit({
          kind: 'user_command',
          name: 'terminal',
          text: showControlCharacters(text),
          taskId: entry.taskId,
          ...(entry.conversation === undefined ? {} : { sessionId: entry.conversation }),
          fields: { via: 'terminal', sessionId },
        });
      }
      return { accepted: true };
    },
  };

  private entry(sessionId: string): Entry {
    const entry = this.sessions.get(sessionId);
    if (!entry) {
      throw new AgentError(
        'terminal_not_found',
        `terminal: no open session ${sessionId}; its task may have ended (terminal.list names the open ones)`,
      );
    }
    return entry;
  }

  private emit<E extends EventName>(event: E, payload: EventPayloadOf<E>): void {
    for (const sink of this.sinks) {
      try {
        sink(event, payload);
      } catch {
        // A front door that fails (a closed window, a dropped socket) must not stop the
        // others, nor the session's output, which the agent's command is still producing.
      }
    }
  }
}
