// The prompt: Enter runs it (the open session's next turn, or a new session), Shift+Enter adds
// a line, ↑/↓ walk the prompts typed in this window.
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_PROMPT_LENGTH } from '../../src-preload/contract';
import { useAppStore } from '../store';

export interface PromptBarProps {
  /** Called once a task started (the quick prompt window hides itself then). */
  onStarted?: () => void;
  autoFocus?: boolean;
  /**
   * Where the prompt goes, asked at each submit (the quick prompt's setting); without it, the
   * open session goes on, or a new one starts.
   */
  target?: () => { sessionId: string | null };
}

export function PromptBar({ onStarted, autoFocus = false, target }: PromptBarProps = {}) {
  const startTask = useAppStore((state) => state.startTask);
  const history = useAppStore((state) => state.promptHistory);
  const starting = useAppStore((state) => state.startingTask);
  const taskError = useAppStore((state) => state.taskError);
  const unavailable = useAppStore(
    (state) => state.status.kind !== 'ready' || state.connection === 'unauthorized',
  );
  const [text, setText] = useState('');
  /** Which history entry is shown; null: the user's own draft. */
  const [historyIndex, setHistoryIndex] = useState<number | null>(null);
  const draft = useRef('');
  const inputId = useId();
  const errorId = useId();

  const run = async () => {
    if (unavailable || starting || text.trim() === '') return;
    if (await startTask(text, target?.())) {
      setText('');
      setHistoryIndex(null);
      draft.current = '';
      onStarted?.();
    }
  };

  const showHistory = (index: number | null) => {
    setHistoryIndex(index);
    setText(index === null ? draft.current : (history[index] ?? ''));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // An IME composing text uses Enter to pick a candidate, not to send.
    if (event.nativeEvent.isComposing) return;
    const field = event.currentTarget;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void run();
      return;
    }
    const caret = field.selectionStart;
    if (event.key === 'ArrowUp' && history.length > 0 && !text.slice(0, caret).includes('\n')) {
      event.preventDefault();
      if (historyIndex === null) draft.current = text;
      showHistory(historyIndex === null ? history.length - 1 : Math.max(0, historyIndex - 1));
      return;
    }
    if (event.key === 'ArrowDown' && historyIndex !== null && !text.slice(caret).includes('\n')) {
      event.preventDefault();
      showHistory(historyIndex + 1 >= history.length ? null : historyIndex + 1);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  return (
    <form className="prompt-bar" aria-label="Prompt" onSubmit={onSubmit}>
      <label htmlFor={inputId} className="visually-hidden">
        What should OmniPalm do?
      </label>
      <textarea
        id={inputId}
        className="prompt-input"
        rows={Math.min(8, Math.max(2, text.split('\n').length))}
        value={text}
        maxLength={MAX_PROMPT_LENGTH}
        placeholder={
          unavailable
            ? 'OmniPalm is not connected.'
            : 'What should OmniPalm do? (Enter runs, Shift+Enter for a new line, ↑ for earlier prompts)'
        }
        disabled={unavailable}
        autoFocus={autoFocus}
        aria-describedby={taskError ? errorId : undefined}
        onChange={(event) => {
          setText(event.target.value);
          setHistoryIndex(null);
        }}
        onKeyDown={onKeyDown}
      />
      <button
        type="submit"
        className="button button-primary"
        disabled={unavailable || starting || text.trim() === ''}
      >
        {starting ? 'Starting…' : 'Run'}
      </button>
      {taskError && (
        <p id={errorId} className="prompt-error" role="alert">
          {taskError}
        </p>
      )}
    </form>
  );
}
