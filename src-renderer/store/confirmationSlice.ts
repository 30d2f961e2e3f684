import type { EventPayloadOf, OmniPalmBridge, RequestOf } from '../../src-preload/contract';
import { errorMessage, type SliceCreator } from './appState';

export type ConfirmationRequest = EventPayloadOf<'confirmation.requested'>['request'];
export type ConfirmationAnswer = RequestOf<'confirmation.answer'>['answer'];

export interface ConfirmationSlice {
  /** Waiting for the user, oldest first; the modal shows the first. */
  confirmations: ConfirmationRequest[];
  /** The id being answered now (buttons disabled meanwhile). */
  answeringId: string | null;
  confirmationError: string | null;
  confirmationRequested: (request: ConfirmationRequest) => void;
  /** Stopped waiting (answered anywhere, timed out, closed): leaves the queue. */
  confirmationSettled: (id: string) => void;
  answerConfirmation: (id: string, answer: ConfirmationAnswer) => Promise<void>;
  refreshPendingConfirmations: () => Promise<void>;
}

export function createConfirmationSlice(bridge: OmniPalmBridge): SliceCreator<ConfirmationSlice> {
  return (set, get) => ({
    confirmations: [],
    answeringId: null,
    confirmationError: null,
    confirmationRequested: (request) =>
      set((state) =>
        state.confirmations.some((queued) => queued.id === request.id)
          ? {}
          : { confirmations: [...state.confirmations, request] },
      ),
    confirmationSettled: (id) =>
      set((state) => ({
        confirmations: state.confirmations.filter((queued) => queued.id !== id),
        answeringId: state.answeringId === id ? null : state.answeringId,
      })),
    answerConfirmation: async (id, answer) => {
      if (get().answeringId !== null) return;
      set({ answeringId: id, confirmationError: null });
      try {
        // accepted false: it already stopped waiting (timed out, answered elsewhere). Either
        // way it is no longer ours to answer.
        await bridge.answer({ id, answer });
        get().confirmationSettled(id);
      } catch (error) {
        set({ answeringId: null, confirmationError: errorMessage(error) });
      }
    },
    refreshPendingConfirmations: async () => {
      try {
        const { requests } = await bridge.pending();
        set({ confirmations: requests, confirmationError: null });
      } catch (error) {
        set({ confirmationError: `Could not read pending confirmations: ${errorMessage(error)}` });
      }
    },
  });
}
