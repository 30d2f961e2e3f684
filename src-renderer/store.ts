// One zustand store made of slices (src-renderer/store/). It is created per app start with
// its bridge passed in — no module-level store — and components read it through useAppStore
// with a selector.
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { OmniPalmBridge } from '../src-preload/contract';
import { createAlertSlice } from './store/alertSlice';
import type { AppState } from './store/appState';
import { createConfirmationSlice } from './store/confirmationSlice';
import { createPromptHistorySlice } from './store/promptHistorySlice';
import { createSessionSlice } from './store/sessionSlice';
import { createStatusSlice } from './store/statusSlice';
import { createTaskSlice } from './store/taskSlice';
import { createTimelineHeadSlice } from './store/timelineHeadSlice';

export type { AppState } from './store/appState';
export type { AlertEntry, MonitorAlert } from './store/alertSlice';
export type { ConfirmationAnswer, ConfirmationRequest } from './store/confirmationSlice';
export type { AppStatus, StatusState } from './store/statusSlice';
export type { TimelineHead } from './store/timelineHeadSlice';
export type {
  SessionList,
  SessionSummary,
  SessionTurn,
  Transcript,
  TurnStep,
} from './store/sessionSlice';
export type { TaskOutcome, TaskRun, ToolLine, ToolLineStatus } from './store/taskSlice';
export { connectStore } from './store/wireBridge';

export type AppStore = StoreApi<AppState>;

export function createAppStore(bridge: OmniPalmBridge): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createStatusSlice(bridge)(...args),
    ...createTaskSlice(bridge)(...args),
    ...createPromptHistorySlice(...args),
    ...createConfirmationSlice(bridge)(...args),
    ...createAlertSlice(...args),
    ...createTimelineHeadSlice(bridge)(...args),
    ...createSessionSlice(bridge)(...args),
  }));
}

export const AppStoreContext = createContext<AppStore | null>(null);

export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(AppStoreContext);
  if (!store)
    throw new Error('useAppStore: render inside <AppStoreContext value={store}> (App does this)');
  return useStore(store, selector);
}
