// The newest page of the activity timeline, loaded at start-up and kept current from the live
// events: the Timeline view (no filters) shows it the moment it opens instead of asking main
// for a page after the click. Filtered views and older pages are still queried by the view.
import type { OmniPalmBridge } from '../../src-preload/contract';
import {
  mergeLiveRows,
  TIMELINE_PAGE_SIZE,
  type LiveEvent,
  type TimelineRow,
} from '../views/timelineModel';
import { errorMessage, type SliceCreator } from './appState';

/**
 * Live events kept on top of the loaded page before the head is re-read from main (live rows
 * carry no id, so they cannot be paged past; a re-read gives them one and bounds the memory).
 */
export const MAX_LIVE_HEAD_ROWS = 2_000;

export type TimelineHead =
  | { readonly state: 'idle' | 'loading' }
  | { readonly state: 'failed'; readonly message: string }
  | {
      readonly state: 'loaded';
      /** Newest first: live events, then the page. */
      readonly rows: readonly TimelineRow[];
      /** Pass as `before` to page further back; undefined when everything is loaded. */
      readonly nextCursor: number | undefined;
      readonly liveRows: number;
    };

export interface TimelineHeadSlice {
  timelineHead: TimelineHead;
  refreshTimelineHead: () => Promise<void>;
  timelineEventArrived: (event: LiveEvent) => void;
}

export function createTimelineHeadSlice(bridge: OmniPalmBridge): SliceCreator<TimelineHeadSlice> {
  return (set, get) => {
    let liveCounter = 0;
    let generation = 0;
    /** Events that arrived while a page was on its way: merged in when it lands. */
    let arrivedWhileLoading: TimelineRow[] = [];
    const liveRow = (event: LiveEvent): TimelineRow => ({
      key: `head-live-${++liveCounter}`,
      entry: event,
    });

    const refreshTimelineHead = async () => {
      const current = ++generation;
      arrivedWhileLoading = [];
      set({ timelineHead: { state: 'loading' } });
      try {
        const page = await bridge.page({ limit: TIMELINE_PAGE_SIZE });
        if (current !== generation) return;
        const rows = mergeLiveRows(
          page.events.map((event) => ({ key: `id-${event.id}`, entry: event })),
          arrivedWhileLoading,
        );
        arrivedWhileLoading = [];
        set({
          timelineHead: {
            state: 'loaded',
            rows,
            nextCursor: page.nextCursor,
            liveRows: rows.length - page.events.length,
          },
        });
      } catch (error) {
        if (current === generation) {
          set({ timelineHead: { state: 'failed', message: errorMessage(error) } });
        }
      }
    };

    return {
      timelineHead: { state: 'idle' },
      refreshTimelineHead,
      timelineEventArrived: (event) => {
        const head = get().timelineHead;
        if (head.state === 'loading') {
          arrivedWhileLoading = [liveRow(event), ...arrivedWhileLoading];
          return;
        }
        if (head.state !== 'loaded') return;
        if (head.liveRows >= MAX_LIVE_HEAD_ROWS) {
          void refreshTimelineHead();
          return;
        }
        set({
          timelineHead: {
            ...head,
            rows: [liveRow(event), ...head.rows],
            liveRows: head.liveRows + 1,
          },
        });
      },
    };
  };
}
