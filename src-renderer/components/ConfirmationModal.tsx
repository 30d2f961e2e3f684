// The in-app confirmation: the oldest waiting request, as the guide shows it ("This will
// delete 47 files. Proceed?" with a preview, Yes / No / List). No is the default: an Enter or
// Space meant for something else denies rather than approves.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useAppStore, type ConfirmationAnswer, type ConfirmationRequest } from '../store';
import { operationLabel, visibleText } from './confirmationText';

/**
 * Yes and "Allow for this task" stay disabled this long after a request appears, so a key
 * or click meant for the prompt (typing a "y", a double click) cannot approve it unseen.
 */
export const ARM_DELAY_MS = 600;

export function ConfirmationModal({ armDelayMs = ARM_DELAY_MS }: { armDelayMs?: number }) {
  const queue = useAppStore((state) => state.confirmations);
  const request = queue[0];
  if (!request) return null;
  // Keyed: each request starts with its own countdown, collapsed list and No focused.
  return (
    <ConfirmationDialog
      key={request.id}
      request={request}
      total={queue.length}
      armDelayMs={armDelayMs}
    />
  );
}

const FOCUSABLE = 'button:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

function ConfirmationDialog({
  request,
  total,
  armDelayMs,
}: {
  request: ConfirmationRequest;
  total: number;
  armDelayMs: number;
}) {
  const answer = useAppStore((state) => state.answerConfirmation);
  const answering = useAppStore((state) => state.answeringId === request.id);
  const error = useAppStore((state) => state.confirmationError);
  const settle = useAppStore((state) => state.confirmationSettled);
  const [expanded, setExpanded] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [armed, setArmed] = useState(armDelayMs <= 0);
  const dialog = useRef<HTMLDivElement>(null);
  const noButton = useRef<HTMLButtonElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const summaryId = useId();
  const detailsId = useId();

  const secondsLeft = Math.max(0, Math.ceil((request.expiresAt - now) / 1000));
  const timedOut = secondsLeft === 0;
  const lines = expanded && request.fullPreview ? request.fullPreview : request.preview;
  const canList = (request.fullPreview?.length ?? 0) > 0;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    noButton.current?.focus();
    return () => previous?.focus();
  }, []);

  useEffect(() => {
    if (timedOut) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [timedOut]);

  useEffect(() => {
    if (timedOut) closeButton.current?.focus();
  }, [timedOut]);

  useEffect(() => {
    if (armed) return;
    const timer = setTimeout(() => setArmed(true), armDelayMs);
    return () => clearTimeout(timer);
  }, [armed, armDelayMs]);

  const give = (choice: ConfirmationAnswer) => {
    if (timedOut || answering) return;
    if (choice !== 'no' && !armed) return;
    void answer(request.id, choice);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Tab') {
      trapFocus(event, dialog.current);
      return;
    }
    // A held key repeats into the next request of the queue: only fresh presses count.
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const key = event.key.toLowerCase();
    const actions: Record<string, () => void> = {
      y: () => give('yes'),
      n: () => give('no'),
      escape: () => give('no'),
      a: () => give('allow_for_task'),
      l: () => canList && setExpanded((value) => !value),
    };
    const action = actions[key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  return (
    <div className="modal-backdrop">
      <div
        ref={dialog}
        className={`modal risk-${request.risk}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={summaryId}
        aria-describedby={detailsId}
        onKeyDown={onKeyDown}
      >
        <header className="modal-header">
          <span className={`risk-badge risk-badge-${request.risk}`}>{request.risk} risk</span>
          <span className="muted">{operationLabel(request.operation)}</span>
          {total > 1 && (
            <span className="queue-position" aria-label={`request 1 of ${total}`}>
              1 of {total}
            </span>
          )}
          <span className="countdown" role="timer" aria-live="off">
            {timedOut ? 'timed out' : `${formatSeconds(secondsLeft)} left`}
          </span>
        </header>
        <h2 id={summaryId} className="modal-summary">
          {request.summary}
        </h2>
        <div id={detailsId}>
          {lines.length > 0 && (
            <ul className="preview" aria-label={expanded ? 'Everything affected' : 'Preview'}>
              {lines.map((line, index) => (
                <li key={index}>{visibleText(line)}</li>
              ))}
            </ul>
          )}
          <p className="reason">
            <strong>Why: </strong>
            {request.reason}
          </p>
        </div>
        {timedOut ? (
          <>
            <p className="modal-timeout" role="alert">
              Timed out: OmniPalm did not get an answer in time, so the action was denied.
            </p>
            <div className="modal-buttons">
              <button
                ref={closeButton}
                type="button"
                className="button"
                onClick={() => settle(request.id)}
              >
                Close
              </button>
            </div>
          </>
        ) : (
          <div className="modal-buttons">
            <button
              type="button"
              className="button button-approve"
              disabled={!armed || answering}
              aria-keyshortcuts="Y"
              onClick={() => give('yes')}
            >
              <u>Y</u>es
            </button>
            <button
              ref={noButton}
              type="button"
              className="button"
              disabled={answering}
              aria-keyshortcuts="N"
              onClick={() => give('no')}
            >
              <u>N</u>o
            </button>
            {canList && (
              <button
                type="button"
                className="button"
                aria-expanded={expanded}
                aria-keyshortcuts="L"
                onClick={() => setExpanded((value) => !value)}
              >
                <u>L</u>ist
              </button>
            )}
            <button
              type="button"
              className="button"
              disabled={!armed || answering}
              aria-keyshortcuts="A"
              onClick={() => give('allow_for_task')}
            >
              <u>A</u>llow for this task
            </button>
          </div>
        )}
        {error && (
          <p className="modal-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

/** Keeps Tab and Shift+Tab inside the dialog, wrapping at either end. */
function trapFocus(event: KeyboardEvent, container: HTMLElement | null) {
  if (!container) return;
  const items = [...container.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) {
    event.preventDefault();
    return;
  }
  const active = document.activeElement;
  const inside = active instanceof HTMLElement && container.contains(active);
  if (event.shiftKey && (active === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

function formatSeconds(total: number): string {
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}
