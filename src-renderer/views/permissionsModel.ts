// The permission settings the editor shows, and the checks it makes before asking main to
// save (main validates again: these only give an answer before the round trip).
import { OPERATION_NAMES } from '../../src-preload/contract';

export interface Capability {
  name: string;
  key: string;
  risk: 'low' | 'medium' | 'high';
  notes: string;
}

/** The security guide's capability table. */
export const CAPABILITIES: Capability[] = [
  {
    name: 'File system',
    key: 'integrations.filesystem.enabled',
    risk: 'medium',
    notes: 'Read, write and delete files inside the allowed paths.',
  },
  {
    name: 'Terminal',
    key: 'integrations.terminal.enabled',
    risk: 'high',
    notes: 'Run shell commands (sandboxed when an OS sandbox is available).',
  },
  {
    name: 'Network',
    key: 'integrations.network.enabled',
    risk: 'medium',
    notes: 'HTTP requests to allowed hosts and configured integrations.',
  },
  {
    name: 'Browser',
    key: 'integrations.browser.enabled',
    risk: 'high',
    notes: 'Drive a browser; every request a page makes is judged by the policy.',
  },
  {
    name: 'Email',
    key: 'integrations.email.enabled',
    risk: 'medium',
    notes: 'Send email through the configured SMTP server.',
  },
  {
    name: 'Jira',
    key: 'integrations.jira.enabled',
    risk: 'medium',
    notes: 'Search, create and comment on issues.',
  },
  {
    name: 'Slack',
    key: 'integrations.slack.enabled',
    risk: 'medium',
    notes: 'Post messages and read channels.',
  },
  {
    name: 'MCP servers',
    key: 'integrations.mcp.enabled',
    risk: 'high',
    notes:
      'Tool servers of third parties (below), each sandboxed; every call goes through the policy.',
  },
];

export const CONFIRMABLE_OPERATIONS = OPERATION_NAMES;

export const NUMBER_SETTINGS: { key: string; label: string; unit: string }[] = [
  { key: 'security.rate_limits.emails_per_hour', label: 'Emails', unit: 'per hour' },
  { key: 'security.rate_limits.api_calls_per_minute', label: 'API calls', unit: 'per minute' },
  {
    key: 'security.rate_limits.file_operations_per_minute',
    label: 'File operations',
    unit: 'per minute',
  },
  {
    key: 'security.rate_limits.shell_commands_per_minute',
    label: 'Shell commands',
    unit: 'per minute',
  },
  { key: 'security.rate_limits.mcp_calls_per_minute', label: 'MCP tool calls', unit: 'per minute' },
  { key: 'agent.max_iterations', label: 'Most steps per task', unit: 'steps' },
  { key: 'agent.timeout', label: 'Task timeout', unit: 'seconds' },
  { key: 'security.stop_on_error_count', label: 'Stop after consecutive errors', unit: 'errors' },
  { key: 'security.stop_on_cost_limit', label: 'Stop when a task costs more than', unit: 'USD' },
];

/** The value at a dotted key of the nested config, e.g. 'security.read_only'. */
export function valueAt(config: Record<string, unknown>, key: string): unknown {
  let node: unknown = config;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A copy of the config with one dotted key replaced. */
export function withValueAt(
  config: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const [head = '', ...rest] = key.split('.');
  if (rest.length === 0) return { ...config, [head]: value };
  const child = config[head];
  const inner =
    typeof child === 'object' && child !== null ? (child as Record<string, unknown>) : {};
  return { ...config, [head]: withValueAt(inner, rest.join('.'), value) };
}

function trimSlashes(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** Whether `path` is `folder` or inside it (both as written: `~/` is not expanded here). */
export function isInside(path: string, folder: string): boolean {
  const child = trimSlashes(path);
  const parent = trimSlashes(folder);
  return child === parent || child.startsWith(parent === '/' ? '/' : `${parent}/`);
}

/** Whether `path` is a whole disk or home folder (`/`, `~`), as written. */
export function isWholeTree(path: string): boolean {
  return ['/', '~'].includes(trimSlashes(path));
}

/** Why a path cannot be added to a list, or undefined when it can. */
export function pathProblem(path: string, list: readonly string[]): string | undefined {
  if (!path.trim()) return 'Enter a path.';
  if (!(path.startsWith('/') || path.startsWith('~/'))) {
    return `"${path}" is relative: use an absolute path or one starting with ~/.`;
  }
  if (path.split('/').includes('..')) return `"${path}" contains "..": write the folder itself.`;
  if (list.some((existing) => trimSlashes(existing) === trimSlashes(path))) {
    return `"${path}" is already in the list.`;
  }
  return undefined;
}
