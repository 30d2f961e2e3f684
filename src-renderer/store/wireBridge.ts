// Events from the core are wired into the store once, at start-up (main.tsx), never from
// components; after the event stream reconnects, state is re-read since events were missed.
import type { OmniPalmBridge } from '../../src-preload/contract';
import type { EventConnection } from '../bridge/httpBridge';
import type { AppStore } from '../store';

export function connectStore(
  store: AppStore,
  bridge: OmniPalmBridge,
  connection?: EventConnection,
): () => void {
  const actions = store.getState();
  const resynchronize = () =>
    Promise.all([
      actions.refreshStatus(),
      actions.refreshPendingConfirmations(),
      actions.refreshRunningTasks(),
      actions.refreshTimelineHead(),
      actions.searchSessions(store.getState().sessionList.text),
      actions.refreshTranscript(),
    ]);
  const unsubscribers = [
    bridge.onTaskStarted((event) => store.getState().taskStarted(event)),
    bridge.onTaskText((event) => store.getState().taskText(event)),
    bridge.onTaskTool((event) => store.getState().taskTool(event)),
    bridge.onTaskEnded((event) => store.getState().taskEnded(event)),
    bridge.onConfirmationRequested(({ request }) =>
      store.getState().confirmationRequested(request),
    ),
    bridge.onConfirmationSettled(({ id }) => store.getState().confirmationSettled(id)),
    bridge.onMonitorAlert((alert) => store.getState().alertRaised(alert)),
    bridge.onTimelineEvent((event) => store.getState().timelineEventArrived(event)),
    bridge.onSessionUpdated((summary) => store.getState().sessionUpdated(summary)),
    bridge.onSessionDeleted(({ sessionId }) => store.getState().sessionDeleted(sessionId)),
  ];
  if (connection) {
    actions.setConnection(connection.state);
    let wasLive = connection.state === 'live';
    unsubscribers.push(
      connection.onChange((state) => {
        store.getState().setConnection(state);
        if (state === 'live' && !wasLive) void resynchronize();
        wasLive = state === 'live';
      }),
    );
  }
  void resynchronize();
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
