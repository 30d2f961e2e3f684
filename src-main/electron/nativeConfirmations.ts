// Native confirmation dialogs (issue 10): every request of high risk, and any request while the
// main window is hidden, also raises the OS's own message box with the summary and preview.
// The answer goes to the same UI front door as the modal's, so the first answer wins across the
// native dialog, the modal and the CLI; a request settled elsewhere closes its dialog.
// Only types come from 'electron' here: the dialog is passed in, so this runs in plain Node tests.
import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron';
import type { EventPayloadOf } from '../../src-preload/contract';
import type { ConfirmationAnswer } from '../agent/confirmationBroker';

export type NativeConfirmationRequest = EventPayloadOf<'confirmation.requested'>['request'];

export interface NativeConfirmationsOptions {
  /** dialog.showMessageBox, bound to the main window when it is visible. */
  showMessageBox: (options: MessageBoxOptions) => Promise<MessageBoxReturnValue>;
  /** True when the user can see the main window (and with it the modal). */
  mainWindowVisible: () => boolean;
  /** The UI front door's answer: false when the request was already settled. */
  answer: (id: string, answer: ConfirmationAnswer) => boolean;
  now?: () => number;
}

/** Lines of the full list shown in the List dialog; the rest is counted. */
export const MAX_LISTED_LINES = 40;

const YES = 0;
const NO = 1;
const LIST = 2;

export class NativeConfirmations {
  private readonly queue: NativeConfirmationRequest[] = [];
  private showing: { id: string; controller: AbortController } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: NativeConfirmationsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether a request gets a native dialog: high risk, or nobody can see the modal. */
  wants(request: NativeConfirmationRequest): boolean {
    return request.risk === 'high' || !this.options.mainWindowVisible();
  }

  requested(request: NativeConfirmationRequest): void {
    if (!this.wants(request)) return;
    this.queue.push(request);
    void this.showNext();
  }

  /** Answered elsewhere, timed out, or its task stopped: its dialog goes away. */
  settledElsewhere(id: string): void {
    const index = this.queue.findIndex((request) => request.id === id);
    if (index >= 0) this.queue.splice(index, 1);
    if (this.showing?.id === id) this.showing.controller.abort();
  }

  /** The request whose dialog is open now, if any. */
  get open(): string | undefined {
    return this.showing?.id;
  }

  private async showNext(): Promise<void> {
    if (this.showing) return;
    const request = this.queue.shift();
    if (!request) return;
    const controller = new AbortController();
    this.showing = { id: request.id, controller };
    try {
      const answer = await this.ask(request, controller.signal);
      // An aborted dialog answers nothing: the request was decided elsewhere.
      if (answer && !controller.signal.aborted) this.options.answer(request.id, answer);
    } catch (error) {
      // The dialog failed to show: the modal and the deadline still decide; nothing is approved.
      console.error('OmniPalm: the native confirmation dialog failed:', error);
    } finally {
      this.showing = undefined;
      void this.showNext();
    }
  }

  private async ask(
    request: NativeConfirmationRequest,
    signal: AbortSignal,
  ): Promise<ConfirmationAnswer | undefined> {
    const hasList = (request.fullPreview?.length ?? 0) > 0;
    for (;;) {
      const { response } = await this.options.showMessageBox(
        confirmationDialog(request, hasList, this.now(), signal),
      );
      if (signal.aborted) return undefined;
      if (response === YES) return 'yes';
      if (response !== LIST || !hasList) return 'no';
      const listed = await this.options.showMessageBox(listDialog(request, signal));
      if (signal.aborted) return undefined;
      if (listed.response === YES) return 'yes';
      if (listed.response === NO) return 'no';
      // "Back" shows the question again.
    }
  }
}

/** The question: summary as the message, preview and reason as the detail; No is the default. */
export function confirmationDialog(
  request: NativeConfirmationRequest,
  hasList: boolean,
  now: number,
  signal?: AbortSignal,
): MessageBoxOptions {
  const seconds = Math.max(0, Math.round((request.expiresAt - now) / 1000));
  const detail = [
    ...request.preview,
    '',
    `Why: ${request.reason}`,
    `Risk: ${request.risk}. No answer within ${seconds} s counts as No.`,
  ].join('\n');
  return {
    type: 'warning',
    title: 'OmniPalm — confirm',
    message: request.summary,
    detail,
    buttons: hasList ? ['Yes', 'No', 'List'] : ['Yes', 'No'],
    defaultId: NO,
    cancelId: NO,
    noLink: true,
    normalizeAccessKeys: false,
    ...(signal ? { signal } : {}),
  };
}

/** Everything affected, bounded; Yes / No / Back to the question. */
export function listDialog(
  request: NativeConfirmationRequest,
  signal?: AbortSignal,
): MessageBoxOptions {
  const all = request.fullPreview ?? [];
  const shown = all.slice(0, MAX_LISTED_LINES);
  const more = all.length - shown.length;
  return {
    type: 'warning',
    title: 'OmniPalm — everything affected',
    message: request.summary,
    detail: [...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n'),
    buttons: ['Yes', 'No', 'Back'],
    defaultId: NO,
    cancelId: NO,
    noLink: true,
    normalizeAccessKeys: false,
    ...(signal ? { signal } : {}),
  };
}
