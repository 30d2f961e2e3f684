// The renderer's confirmation modal as a ConfirmationBroker front door, for both transports
// (Electron IPC and the headless server's WebSocket). A request is shown only while some UI
// client is listening: with nobody there canShow is false, so the broker denies at once
// instead of letting a request wait out its deadline unseen (fail closed).
import type { EventEmitter, EventPayloadOf } from '../../src-preload/contract.js';
import type {
  ConfirmationAnswer,
  ConfirmationRequest,
  FrontDoor,
} from '../agent/confirmationBroker.js';

export type PublicConfirmationRequest = EventPayloadOf<'confirmation.requested'>['request'];

export interface UiFrontDoorOptions {
  /** Pushes an event to every UI client. */
  emit: EventEmitter;
  /** True while at least one UI client that can answer is connected. */
  hasClients: () => boolean;
  now?: () => number;
}

interface Shown {
  request: PublicConfirmationRequest;
  answer: (answer: ConfirmationAnswer) => void;
  answered: boolean;
}

/** What the UI may see of a request: the grant fingerprint is the broker's business. */
export function publicRequest(request: ConfirmationRequest): PublicConfirmationRequest {
  return {
    id: request.id,
    taskId: request.taskId,
    operation: request.operation,
    summary: request.summary,
    preview: request.preview,
    ...(request.fullPreview ? { fullPreview: request.fullPreview } : {}),
    risk: request.risk,
    reason: request.reason,
    expiresAt: request.expiresAt,
  };
}

export class UiFrontDoor implements FrontDoor {
  readonly name = 'ui';
  private readonly shown = new Map<string, Shown>();
  private readonly now: () => number;

  constructor(private readonly options: UiFrontDoorOptions) {
    this.now = options.now ?? Date.now;
  }

  canShow(): boolean {
    return this.options.hasClients();
  }

  show(
    request: ConfirmationRequest,
    answer: (answer: ConfirmationAnswer) => void,
    signal: AbortSignal,
  ): void {
    const entry: Shown = { request: publicRequest(request), answer, answered: false };
    this.shown.set(request.id, entry);
    signal.addEventListener(
      'abort',
      () => {
        this.shown.delete(request.id);
        // Our own answer already announced it; anything else ended it elsewhere.
        if (entry.answered) return;
        const timedOut = this.now() >= request.expiresAt;
        this.options.emit('confirmation.settled', {
          id: request.id,
          answer: timedOut ? 'timeout' : 'closed',
          approved: timedOut ? false : null,
        });
      },
      { once: true },
    );
    this.options.emit('confirmation.requested', { request: entry.request });
  }

  /** The requests this door is showing, oldest first. */
  pending(): PublicConfirmationRequest[] {
    return [...this.shown.values()].map((entry) => structuredClone(entry.request));
  }

  /**
   * The user's answer from confirmation.answer. False when the request is not one this door
   * is showing (already answered, expired, or an id the page made up).
   */
  answer(id: string, answer: ConfirmationAnswer): boolean {
    const entry = this.shown.get(id);
    if (!entry || entry.answered) return false;
    entry.answered = true;
    this.shown.delete(id);
    this.options.emit('confirmation.settled', { id, answer, approved: answer !== 'no' });
    entry.answer(answer);
    return true;
  }
}
