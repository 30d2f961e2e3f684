// One zustand store made of slices. It is created per app start with its bridge passed in —
// no module-level store — and components read it through useAppStore with a selector.
import { createContext, useContext } from 'react';
import { createStore, useStore, type StateCreator, type StoreApi } from 'zustand';
import type { ResponseOf } from '../src-preload/contract';
import type { BridgeChoice } from './bridge';

export type AppStatus = ResponseOf<'app.getStatus'>;

export type StatusState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly status: AppStatus }
  | { readonly kind: 'unavailable'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string };

export interface StatusSlice {
  status: StatusState;
  refreshStatus: () => Promise<void>;
}

export type AppState = StatusSlice;
export type AppStore = StoreApi<AppState>;

function createStatusSlice(bridge: BridgeChoice): StateCreator<AppState, [], [], StatusSlice> {
  return (set) => ({
    status: { kind: 'loading' },
    refreshStatus: async () => {
      if (!bridge.available) {
        set({ status: { kind: 'unavailable', message: bridge.reason } });
        return;
      }
      try {
        set({ status: { kind: 'ready', status: await bridge.api.getStatus() } });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        set({ status: { kind: 'failed', message } });
      }
    },
  });
}

export function createAppStore(bridge: BridgeChoice): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createStatusSlice(bridge)(...args),
  }));
}

export const AppStoreContext = createContext<AppStore | null>(null);

export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(AppStoreContext);
  if (!store) throw new Error('useAppStore: render inside <AppStoreContext value={store}>');
  return useStore(store, selector);
}
