import type { SliceCreator } from './appState';

/** Prompts remembered for ↑/↓, in memory only: a prompt may name private things. */
export const MAX_PROMPT_HISTORY = 100;

export interface PromptHistorySlice {
  /** Oldest first. */
  promptHistory: string[];
  rememberPrompt: (prompt: string) => void;
}

export const createPromptHistorySlice: SliceCreator<PromptHistorySlice> = (set) => ({
  promptHistory: [],
  rememberPrompt: (prompt) =>
    set((state) => {
      const trimmed = prompt.trim();
      if (trimmed === '' || state.promptHistory.at(-1) === prompt) return {};
      return { promptHistory: [...state.promptHistory, prompt].slice(-MAX_PROMPT_HISTORY) };
    }),
});
