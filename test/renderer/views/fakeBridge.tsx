// A fake bridge for the view tests: vi.fn() calls given per test, and subscriptions that the
// test can push events through (emit), as main would.
import { act, render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import type { EventName, EventPayloadOf, OmniPalmBridge } from '../../../src-preload/contract';
import { BridgeContext } from '../../../src-renderer/bridge';
import { AppStoreContext, createAppStore, type AppStore } from '../../../src-renderer/store';

const SUBSCRIPTIONS: Record<string, EventName> = {
  onTimelineEvent: 'timeline.event',
  onMonitorAlert: 'monitor.alert',
  onTerminalOpened: 'terminal.opened',
  onTerminalData: 'terminal.data',
  onTerminalExit: 'terminal.exit',
  onTaskEnded: 'task.ended',
};

export interface FakeBridge {
  bridge: OmniPalmBridge;
  emit<E extends EventName>(event: E, payload: EventPayloadOf<E>): void;
  /** How many listeners each event has now (0 after unmount). */
  listenerCount(event: EventName): number;
}

export function fakeBridge(calls: Record<string, (...args: never[]) => unknown>): FakeBridge {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const members: Record<string, unknown> = { ...calls };
  for (const [method, event] of Object.entries(SUBSCRIPTIONS)) {
    members[method] = vi.fn((listener: (payload: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    });
  }
  return {
    bridge: members as unknown as OmniPalmBridge,
    emit(event, payload) {
      act(() => {
        for (const listener of listeners.get(event) ?? []) listener(payload);
      });
    },
    listenerCount: (event) => listeners.get(event)?.size ?? 0,
  };
}

/** Renders a view as the app does: with the bridge and a store made from it (not connected). */
export function renderWith(
  fake: FakeBridge,
  view: ReactNode,
  store: AppStore = createAppStore(fake.bridge),
): RenderResult {
  return render(
    <BridgeContext value={fake.bridge}>
      <AppStoreContext value={store}>{view}</AppStoreContext>
    </BridgeContext>,
  );
}
