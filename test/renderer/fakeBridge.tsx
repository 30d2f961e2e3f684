// A typed fake OmniPalmBridge for renderer tests: every call is a vi.fn, every subscription
// records its listener so a test can emit events.
import { vi } from 'vitest';
import {
  channelNames,
  eventNames,
  methodNameOf,
  subscriptionNameOf,
  type EventName,
  type EventPayloadOf,
  type OmniPalmBridge,
} from '../../src-preload/contract';

export interface FakeBridge {
  bridge: OmniPalmBridge;
  calls: Record<string, ReturnType<typeof vi.fn>>;
  emit<E extends EventName>(event: E, payload: EventPayloadOf<E>): void;
}

/** Answers every fake has unless a test gives its own: calls the app makes at start-up. */
const DEFAULT_RESPONSES: Record<string, unknown> = {
  recent: { sessions: [] },
};

export function fakeBridge(responses: Record<string, unknown> = {}): FakeBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: Record<string, ReturnType<typeof vi.fn>> = {};
  const bridge: Record<string, unknown> = {};
  for (const channel of channelNames) {
    const method = methodNameOf(channel);
    calls[method] = vi.fn(async () => responses[method] ?? DEFAULT_RESPONSES[method] ?? {});
    bridge[method] = calls[method];
  }
  for (const event of eventNames) {
    bridge[subscriptionNameOf(event)] = (listener: (payload: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  return {
    bridge: bridge as unknown as OmniPalmBridge,
    calls,
    emit: (event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
  };
}

export const STATUS = { version: '0.1.0', mode: 'headless', platform: 'linux' } as const;

export const TASK_ID = '6f1c1d5e-8a8b-4c39-9a0e-3a1b2c3d4e5f';
export const REQUEST_ID = '0b8e2a7c-4f4e-4b7d-9c1e-2d3f4a5b6c7d';

export function confirmation(
  overrides: Partial<EventPayloadOf<'confirmation.requested'>['request']> = {},
) {
  return {
    id: REQUEST_ID,
    taskId: TASK_ID,
    operation: 'delete' as const,
    summary: 'This will delete 47 files. Proceed?',
    preview: ['~/Downloads/old/ (32 files)', '~/Downloads/tmp/ (15 files)'],
    fullPreview: ['~/Downloads/old/a.zip', '~/Downloads/old/b.zip', '~/Downloads/tmp/c.log'],
    risk: 'high' as const,
    reason: 'delete always asks (security.require_confirmation)',
    expiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

export const SESSION_ID = '0123456789abcdef0123456789abcdef';
export const OTHER_SESSION_ID = 'fedcba9876543210fedcba9876543210';

/** A session as session.recent lists it. */
export function sessionSummary(
  overrides: Partial<EventPayloadOf<'session.updated'>> = {},
): EventPayloadOf<'session.updated'> {
  return {
    id: SESSION_ID,
    title: 'Delete the old logs',
    createdAt: Date.now() - 3_600_000,
    updatedAt: Date.now() - 120_000,
    costUsd: 0.0123,
    untrustedSources: [],
    ...overrides,
  };
}
