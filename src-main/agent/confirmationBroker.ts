// The one place an `ask` from the policy becomes a yes or a no (DESIGN.md §2). A request goes
// to every attached front door that can show it; the first answer wins. Everything else —
// no door, a door that breaks, the deadline passing, the caller giving up — is a no, because
// an error on the confirmation path must never turn into an approval (fail closed).
import { randomUUID } from 'node:crypto';
import type { Operation } from '../config/schema.js';
import type { Risk } from '../policy/types.js';

export type ConfirmationAnswer = 'yes' | 'no' | 'allow_for_task';
const ANSWERS: readonly string[] = ['yes', 'no', 'allow_for_task'] satisfies ConfirmationAnswer[];

export interface ConfirmationRequest {
  id: string;
  taskId: string;
  operation: Operation;
  /** One sentence, e.g. "This will delete 47 files. Proceed?" */
  summary: string;
  /** A few preview lines. */
  preview: string[];
  /** Everything, for a "List" button. */
  fullPreview?: string[];
  risk: Risk;
  /** Why the policy asks. */
  reason: string;
  /** Identifies the exact operation and its targets; an `allow_for_task` grant covers only it. */
  fingerprint: string;
  /** Epoch milliseconds after which the request is denied. */
  expiresAt: number;
}

export interface ConfirmationOutcome {
  approved: boolean;
  answer: ConfirmationAnswer | 'timeout' | 'no_front_door' | 'cancelled';
  /** 'system': nobody could be asked (no front door) or the task gave up waiting. */
  by: 'user' | 'rule' | 'timeout' | 'system';
  /** The front door that answered, or 'allow_for_task' when a grant approved it. */
  via?: string;
}

export interface FrontDoor {
  name: string;
  canShow(request: ConfirmationRequest): boolean;
  /**
   * Called for every attached door that can show the request. `signal` aborts when another
   * door answered, the deadline passed, the caller gave up or the door was detached, so the
   * door can close its dialog; answers after that are ignored.
   */
  show(
    request: ConfirmationRequest,
    answer: (answer: ConfirmationAnswer) => void,
    signal: AbortSignal,
  ): void;
}

export interface ConfirmationEvent {
  type: 'requested' | 'answered';
  request: ConfirmationRequest;
  outcome?: ConfirmationOutcome;
}

export type TimerHandle = unknown;

export interface ConfirmationBrokerOptions {
  timeoutMs: number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => TimerHandle;
  clearTimer?: (handle: TimerHandle) => void;
  /** For the audit log: every request is reported once requested and once answered. */
  onEvent?: (event: ConfirmationEvent) => void;
}

export type ConfirmationInput = Omit<ConfirmationRequest, 'id' | 'expiresAt'>;

interface Pending {
  request: ConfirmationRequest;
  /** One controller per door showing the request. */
  showing: Map<FrontDoor, AbortController>;
  /** False once the task ended: a late `allow_for_task` then approves only this request. */
  grantable: boolean;
  settle: (outcome: ConfirmationOutcome) => void;
}

const DENIED_NO_DOOR: ConfirmationOutcome = {
  approved: false,
  answer: 'no_front_door',
  by: 'system',
};

export class ConfirmationBroker {
  private readonly doors = new Set<FrontDoor>();
  private readonly waiting = new Map<string, Pending>();
  /** taskId → grant keys (operation + fingerprint) the user allowed for the rest of the task. */
  private readonly grants = new Map<string, Set<string>>();
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => TimerHandle;
  private readonly clearTimer: (handle: TimerHandle) => void;

  constructor(private readonly options: ConfirmationBrokerOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  /** Attaches a front door; it also sees requests already waiting. Returns detach. */
  /** How long new requests wait (agent.confirmation_timeout, re-read before each task). */
  setTimeoutMs(timeoutMs: number): void {
    this.options.timeoutMs = timeoutMs;
  }

  attach(door: FrontDoor): () => void {
    this.doors.add(door);
    for (const pending of [...this.waiting.values()]) this.showTo(pending, door);
    return () => this.detach(door);
  }

  request(input: ConfirmationInput, signal?: AbortSignal): Promise<ConfirmationOutcome> {
    const request: ConfirmationRequest = {
      // A copy: the caller changing its arrays later must not change what was approved.
      ...structuredClone(input),
      id: randomUUID(),
      expiresAt: this.now() + this.options.timeoutMs,
    };
    this.emit({ type: 'requested', request });

    if (signal?.aborted)
      return this.finish(request, { approved: false, answer: 'cancelled', by: 'system' });
    if (this.grants.get(request.taskId)?.has(grantKey(request))) {
      return this.finish(request, {
        approved: true,
        answer: 'allow_for_task',
        by: 'rule',
        via: 'allow_for_task',
      });
    }

    return new Promise<ConfirmationOutcome>((resolve) => {
      const onAbort = () => pending.settle({ approved: false, answer: 'cancelled', by: 'system' });
      const pending: Pending = {
        request,
        showing: new Map(),
        grantable: true,
        settle: (outcome) => {
          if (!this.waiting.delete(request.id)) return; // someone answered first
          this.clearTimer(timer);
          signal?.removeEventListener('abort', onAbort);
          for (const controller of pending.showing.values()) controller.abort();
          pending.showing.clear();
          if (outcome.answer === 'allow_for_task' && pending.grantable) {
            const granted = this.grants.get(request.taskId) ?? new Set<string>();
            granted.add(grantKey(request));
            this.grants.set(request.taskId, granted);
          }
          this.emit({ type: 'answered', request, outcome });
          resolve(outcome);
        },
      };
      this.waiting.set(request.id, pending);
      // Declared after `pending` on purpose: settle() only runs once the doors are shown.
      const timer = this.setTimer(
        () => pending.settle({ approved: false, answer: 'timeout', by: 'timeout' }),
        Math.max(0, request.expiresAt - this.now()),
      );
      signal?.addEventListener('abort', onAbort, { once: true });

      for (const door of [...this.doors]) {
        if (!this.waiting.has(request.id)) break; // a door answered while being shown
        this.showTo(pending, door);
      }
      if (this.waiting.has(request.id) && pending.showing.size === 0) {
        pending.settle(DENIED_NO_DOOR);
      }
    });
  }

  /** Requests still waiting for an answer, oldest first. */
  pending(): ConfirmationRequest[] {
    return [...this.waiting.values()].map((pending) => structuredClone(pending.request));
  }

  /** True when some front door is attached (the policy turns asks into denies without one). */
  hasFrontDoor(): boolean {
    return this.doors.size > 0;
  }

  /** Forgets the task's `allow_for_task` grants, including ones its open requests would make. */
  endTask(taskId: string): void {
    this.grants.delete(taskId);
    for (const pending of this.waiting.values()) {
      if (pending.request.taskId === taskId) pending.grantable = false;
    }
  }

  private detach(door: FrontDoor): void {
    if (!this.doors.delete(door)) return;
    for (const pending of [...this.waiting.values()]) {
      const controller = pending.showing.get(door);
      if (!controller) continue;
      pending.showing.delete(door);
      controller.abort();
      // Nobody is left who could say yes: deny now rather than at the deadline.
      if (pending.showing.size === 0) pending.settle(DENIED_NO_DOOR);
    }
  }

  private showTo(pending: Pending, door: FrontDoor): void {
    const { request } = pending;
    let canShow: boolean;
    try {
      canShow = door.canShow(structuredClone(request)) === true;
    } catch {
      canShow = false; // a broken door shows nothing; the others still can
    }
    if (!canShow || pending.showing.has(door)) return;

    const controller = new AbortController();
    pending.showing.set(door, controller);
    const answer = (given: ConfirmationAnswer) => {
      // A door that was closed, detached or beaten by another door no longer speaks for the user.
      if (controller.signal.aborted || pending.showing.get(door) !== controller) return;
      // Anything but a known answer is a no: a compromised or buggy door cannot approve by accident.
      const known: ConfirmationAnswer = ANSWERS.includes(given) ? given : 'no';
      pending.settle({ approved: known !== 'no', answer: known, by: 'user', via: door.name });
    };
    try {
      door.show(structuredClone(request), answer, controller.signal);
    } catch {
      // A door that throws cannot show the request; the others carry on.
      if (pending.showing.get(door) === controller) pending.showing.delete(door);
      controller.abort();
    }
  }

  private finish(request: ConfirmationRequest, outcome: ConfirmationOutcome) {
    this.emit({ type: 'answered', request, outcome });
    return Promise.resolve(outcome);
  }

  private emit(event: ConfirmationEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // The listener's failure must not leave a request hanging or flip its outcome.
    }
  }
}

function grantKey(request: ConfirmationRequest): string {
  return `${request.operation}\u0000${request.fingerprint}`;
}
