import type { EventPayloadOf } from '../../src-preload/contract';
import type { SliceCreator } from './appState';

export type MonitorAlert = EventPayloadOf<'monitor.alert'>;

export interface AlertEntry extends MonitorAlert {
  readonly id: number;
  /** Epoch milliseconds it arrived. */
  readonly time: number;
}

/** Alerts shown at once; older ones are in the timeline. */
export const MAX_ALERTS = 5;

export interface AlertSlice {
  /** Newest first. */
  alerts: AlertEntry[];
  alertRaised: (alert: MonitorAlert) => void;
  dismissAlert: (id: number) => void;
}

export const createAlertSlice: SliceCreator<AlertSlice> = (set) => {
  let nextId = 1;
  return {
    alerts: [],
    alertRaised: (alert) =>
      set((state) => ({
        alerts: [
          { rule: alert.rule, message: alert.message, id: nextId++, time: Date.now() },
          ...state.alerts,
        ].slice(0, MAX_ALERTS),
      })),
    dismissAlert: (id) => set((state) => ({ alerts: state.alerts.filter((a) => a.id !== id) })),
  };
};
