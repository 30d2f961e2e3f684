// Where every event goes: redacted first, then the audit log (as its switches allow), the
// activity timeline (every event), and the monitor, whose alerts are recorded the same way
// and announced to the UI. If the log cannot be written the error propagates: an action
// that cannot be audited must not go ahead (the caller denies it).
import type { AuditEvent } from './auditEvent.js';
import { formatBody } from './auditLine.js';
import type { AuditLog } from './auditLog.js';
import { type Alert, alertAuditEvent, type Monitor } from './monitor.js';

export interface TimelineSink {
  append(event: AuditEvent & { summary: string; detail?: unknown }): number;
}

export interface Redacting {
  redact(text: string): string;
  redactValue<T>(value: T): T;
}

export interface AuditTrailOptions {
  log: AuditLog;
  monitor: Monitor;
  redactor: Redacting;
  timeline?: TimelineSink;
  /** Every recorded event, for the UI's live timeline. */
  onEvent?: (event: AuditEvent & { summary: string; detail?: unknown }) => void;
  /** Alerts, for desktop notifications and the UI. */
  onAlert?: (alert: Alert) => void;
}

const TIME_AND_LEVEL = /^\S+ +\S+ +/;

export class AuditTrail {
  constructor(private readonly options: AuditTrailOptions) {}

  record(event: AuditEvent, detail?: unknown): void {
    const { log, monitor, redactor, timeline, onEvent, onAlert } = this.options;
    const safe = redactor.redactValue(event);
    log.append(safe);
    // The summary leaves the session out: the timeline row has it as a column (and filter).
    const summary = redactor.redact(
      formatBody(safe, { session: false }).replace(TIME_AND_LEVEL, ''),
    );
    const kept = detail === undefined ? {} : { detail: redactor.redactValue(detail) };
    timeline?.append({ ...safe, summary, ...kept });
    onEvent?.({ ...safe, summary, ...kept });
    // The monitor sees the event whatever the log's switches say; alerts never feed back.
    for (const alert of monitor.observe(event)) {
      this.record(alertAuditEvent(alert));
      onAlert?.(alert);
    }
  }
}
