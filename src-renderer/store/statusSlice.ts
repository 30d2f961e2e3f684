import type { OmniPalmBridge, ResponseOf } from '../../src-preload/contract';
import type { EventConnectionState } from '../bridge/httpBridge';
import { errorMessage, type SliceCreator } from './appState';

export type AppStatus = ResponseOf<'app.getStatus'>;

export type StatusState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly status: AppStatus }
  | { readonly kind: 'failed'; readonly message: string };

export interface StatusSlice {
  status: StatusState;
  /** The live event stream; 'live' for IPC, which cannot drop. */
  connection: EventConnectionState;
  refreshStatus: () => Promise<void>;
  setConnection: (connection: EventConnectionState) => void;
}

export function createStatusSlice(bridge: OmniPalmBridge): SliceCreator<StatusSlice> {
  return (set) => ({
    status: { kind: 'loading' },
    connection: 'live',
    refreshStatus: async () => {
      try {
        set({ status: { kind: 'ready', status: await bridge.getStatus() } });
      } catch (error) {
        set({ status: { kind: 'failed', message: errorMessage(error) } });
      }
    },
    setConnection: (connection) => set({ connection }),
  });
}
