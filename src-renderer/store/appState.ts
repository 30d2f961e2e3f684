// The whole store's type, shared by the slices (each slice may read the others through get).
import type { StateCreator } from 'zustand';
import type { AlertSlice } from './alertSlice';
import type { ConfirmationSlice } from './confirmationSlice';
import type { PromptHistorySlice } from './promptHistorySlice';
import type { SessionSlice } from './sessionSlice';
import type { StatusSlice } from './statusSlice';
import type { TaskSlice } from './taskSlice';
import type { TimelineHeadSlice } from './timelineHeadSlice';

export type AppState = StatusSlice &
  TaskSlice &
  PromptHistorySlice &
  ConfirmationSlice &
  AlertSlice &
  TimelineHeadSlice &
  SessionSlice;

export type SliceCreator<Slice> = StateCreator<AppState, [], [], Slice>;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
