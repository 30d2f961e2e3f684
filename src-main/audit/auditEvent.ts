// One audited event: what the audit log writes as a line in the guide's format, what the
// timeline stores as a row, and what the monitor watches.
//   2024-01-15T10:23:45Z INFO  [tool_call] email.send recipient="alice@example.com" subject="..."
export const AUDIT_KINDS = [
  'user_command',
  'tool_call',
  'tool_result',
  'agent_response',
  'policy',
  'confirmation',
  'alert',
  'error',
  'config',
  'api_call',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const AUDIT_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export type AuditFieldValue = string | number | boolean | null;

export interface AuditEvent {
  kind: AuditKind;
  /** Default: INFO (WARN for alerts, ERROR for errors). */
  level?: AuditLevel;
  /** Default: now. */
  time?: Date;
  /** Bare word after the kind, e.g. the tool name "email.send". */
  name?: string;
  /** Quoted text after the kind, e.g. the user's prompt or the agent's answer. */
  text?: string;
  /** key="value" pairs, in order. */
  fields?: Record<string, AuditFieldValue>;
  /** The task this belongs to, if any. */
  taskId?: string;
  /** The session whose turn this belongs to, if any. */
  sessionId?: string;
  /** Timeline columns (optional): the tool, policy operation, decision, status and cost. */
  tool?: string;
  operation?: string;
  decision?: 'allow' | 'ask' | 'deny';
  status?: string;
  costUsd?: number;
}

export function defaultLevel(kind: AuditKind): AuditLevel {
  if (kind === 'error') return 'ERROR';
  if (kind === 'alert') return 'WARN';
  return 'INFO';
}
