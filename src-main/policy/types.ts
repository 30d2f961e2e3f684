// What the policy judges and what it answers (DESIGN.md §2–3).
import type { Operation } from '../config/schema.js';
import type { UnknownPart } from './shellAnalysis.js';

export type PathOperation = {
  op: 'read' | 'write' | 'delete' | 'list';
  paths: string[];
  /** Folder relative paths are resolved in (the task's working folder). */
  cwd?: string;
};
export type ShellOperationRequest = {
  op: 'execute_shell' | 'deploy';
  command: string;
  cwd?: string;
};
export type EmailOperation = { op: 'send_email'; recipients: string[] };
export type HttpOperation = { op: 'http_request'; method: string; url: string };
export type BrowserOperation = { op: 'browser'; url: string };
/** A call of one tool of a configured MCP server (the tool name as the server lists it). */
export type McpOperation = { op: 'mcp_call'; server: string; tool: string };

export type PolicyOperation =
  | PathOperation
  | ShellOperationRequest
  | EmailOperation
  | HttpOperation
  | BrowserOperation
  | McpOperation;

export type Decision = 'allow' | 'ask' | 'deny';
export type Risk = 'low' | 'medium' | 'high';

/** How a shell command was read: what runs, what it does, what is only known when it runs. */
export interface ShellClassification {
  programs: string[];
  operations: { kind: string; program: string; paths: string[] }[];
  /** Each unknown part, and whether the sandbox bounds it (else it asks). */
  unknown: (UnknownPart & { bounded: boolean })[];
}

export interface PolicyDecision {
  decision: Decision;
  /** One sentence a user understands; for a deny, it also says how to change it. */
  reason: string;
  risk: Risk;
  /** The config key (or built-in rule) that decided, e.g. "security.blocked_paths". */
  rule: string;
  /** The operations found (a shell command can delete and deploy at once). */
  operations?: Operation[];
  /** Preview lines: resolved paths, the parsed shell operations, recipients… */
  details?: string[];
  /** For a shell command: how it was classified (policy check --json shows it). */
  shell?: ShellClassification;
}

export interface DecisionContext {
  /** Untrusted content (email bodies, web pages, command output…) has entered the task. */
  tainted?: boolean;
  /** Some front door can show a confirmation; without one an `ask` becomes a `deny`. */
  canConfirm?: boolean;
  /** Judge without charging the rate limits (`policy check`, previews). */
  dryRun?: boolean;
}
