// The MCP section's logic, free of React: what each server's state and each tool's review say
// in words, the servers map as config.set takes it (integrations.mcp.servers is set whole, so
// every change here is a new copy of the whole map), and the checks of the "Add server" form
// before main validates it again.
import { MCP_SERVER_NAME_PATTERN, type ResponseOf } from '../../src-preload/contract';

export type McpServerView = ResponseOf<'mcp.servers'>['servers'][number];
export type McpReview = ResponseOf<'mcp.review'>;
export type McpToolReview = McpReview['tools'][number];
export type McpToolRule = McpToolReview['rule'];

/** The config key of the servers map: set whole (config.set refuses a key inside it). */
export const MCP_SERVERS_KEY = 'integrations.mcp.servers';
export const MCP_ENABLED_KEY = 'integrations.mcp.enabled';

export const TOOL_RULES: readonly { value: McpToolRule; label: string }[] = [
  { value: 'allow', label: 'allow' },
  { value: 'ask', label: 'ask first' },
  { value: 'deny', label: 'deny' },
];

/** The servers map as config.get gave it (an empty map for anything else). */
export function serversMap(value: unknown): Record<string, Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const map: Record<string, Record<string, unknown>> = {};
  for (const [name, server] of Object.entries(value as Record<string, unknown>)) {
    if (typeof server === 'object' && server !== null && !Array.isArray(server)) {
      map[name] = server as Record<string, unknown>;
    }
  }
  return map;
}

function withServer(
  servers: Record<string, Record<string, unknown>>,
  name: string,
  change: (server: Record<string, unknown>) => Record<string, unknown>,
): Record<string, Record<string, unknown>> {
  const server = Object.hasOwn(servers, name) ? servers[name]! : {};
  return { ...servers, [name]: change(server) };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

function ruleMap(value: unknown): Record<string, McpToolRule> {
  const rules: Record<string, McpToolRule> = {};
  if (typeof value !== 'object' || value === null) return rules;
  for (const [tool, rule] of Object.entries(value as Record<string, unknown>)) {
    if (rule === 'allow' || rule === 'ask' || rule === 'deny') rules[tool] = rule;
  }
  return rules;
}

/** The user's rule for a tool as config.yaml says now (a tool not listed: ask). */
export function ruleInConfig(
  servers: Record<string, Record<string, unknown>>,
  server: string,
  tool: string,
): McpToolRule {
  const rules = ruleMap(Object.hasOwn(servers, server) ? servers[server]!['tools'] : undefined);
  return Object.hasOwn(rules, tool) ? rules[tool]! : 'ask';
}

/** Whether the user marked the tool read-only in config.yaml now. */
export function readOnlyInConfig(
  servers: Record<string, Record<string, unknown>>,
  server: string,
  tool: string,
): boolean {
  const entry = Object.hasOwn(servers, server) ? servers[server] : undefined;
  return stringList(entry?.['read_only_tools']).includes(tool);
}

/** The servers map with one tool's rule set. */
export function withToolRule(
  servers: Record<string, Record<string, unknown>>,
  server: string,
  tool: string,
  rule: McpToolRule,
): Record<string, Record<string, unknown>> {
  return withServer(servers, server, (entry) => ({
    ...entry,
    tools: { ...ruleMap(entry['tools']), [tool]: rule },
  }));
}

/** The servers map with one tool marked read-only or not. */
export function withReadOnlyTool(
  servers: Record<string, Record<string, unknown>>,
  server: string,
  tool: string,
  readOnly: boolean,
): Record<string, Record<string, unknown>> {
  return withServer(servers, server, (entry) => {
    const others = stringList(entry['read_only_tools']).filter((name) => name !== tool);
    return { ...entry, read_only_tools: readOnly ? [...others, tool] : others };
  });
}

/** The servers map with one server switched on or off. */
export function withServerEnabled(
  servers: Record<string, Record<string, unknown>>,
  server: string,
  enabled: boolean,
): Record<string, Record<string, unknown>> {
  return withServer(servers, server, (entry) => ({ ...entry, enabled }));
}

/**
 * Splits a command line into words as a shell would for plain words and quotes ('…', "…",
 * backslash escapes), without running anything: the server is started with argv, no shell.
 * Returns undefined when a quote is left open.
 */
export function splitCommandLine(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index]!;
    if (quote) {
      if (character === quote) quote = undefined;
      else if (character === '\\' && quote === '"' && index + 1 < line.length) {
        word += line[++index];
      } else word += character;
      continue;
    }
    if (/\s/.test(character)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (character === '"' || character === "'") quote = character;
    else if (character === '\\' && index + 1 < line.length) word += line[++index];
    else word += character;
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}

export interface NewServerForm {
  name: string;
  kind: 'stdio' | 'http';
  /** The command line (stdio) or the URL (http). */
  target: string;
  /** Host names separated by commas or spaces. */
  hosts: string;
}

/**
 * The servers map with the new server added, or the problem with the form. Main validates the
 * whole entry again (the schema's one-line errors); these checks only answer before the round
 * trip, and never replace an existing server by accident.
 */
export function withNewServer(
  servers: Record<string, Record<string, unknown>>,
  form: NewServerForm,
): { servers: Record<string, Record<string, unknown>> } | { problem: string } {
  const name = form.name.trim();
  if (!name) return { problem: 'Enter a name for the server, such as "github".' };
  if (!MCP_SERVER_NAME_PATTERN.test(name)) {
    return {
      problem: `"${name}" is not a server name: use lowercase letters, digits and -, starting with a letter, at most 32 (no _).`,
    };
  }
  if (Object.hasOwn(servers, name)) {
    return { problem: `A server named ${name} exists already: pick another name.` };
  }
  const hosts = form.hosts
    .split(/[\s,]+/)
    .map((host) => host.trim())
    .filter(Boolean);
  const target = form.target.trim();
  if (form.kind === 'http') {
    if (!/^https?:\/\/\S+$/i.test(target)) {
      return { problem: "Enter the server's URL, starting with https:// (or http://)." };
    }
    return { servers: { ...servers, [name]: { url: target, hosts } } };
  }
  const words = splitCommandLine(target);
  if (words === undefined) return { problem: 'The command line has a quote left open.' };
  const [command, ...args] = words;
  if (command === undefined) {
    return { problem: 'Enter the command that starts the server, such as "npx -y @scope/server".' };
  }
  return { servers: { ...servers, [name]: { command, args, hosts } } };
}

/** What the servers list says about a server's approval. */
export function approvalText(server: McpServerView): { text: string; attention: boolean } {
  switch (server.approval) {
    case 'approved': {
      const count = server.approvedTools.length;
      return { text: `${count} tool${count === 1 ? '' : 's'} approved`, attention: false };
    }
    case 'changed':
      return { text: 'tools changed — review', attention: true };
    default:
      return { text: 'not reviewed — review its tools', attention: true };
  }
}

/** The connection's state in words. */
export function stateText(server: McpServerView): string {
  const state = {
    idle: 'not started',
    starting: 'starting',
    running: 'running',
    closed: 'stopped',
  }[server.state];
  return server.restarts > 0 ? `${state} (restarted ${server.restarts}×)` : state;
}

/** Where the server runs, and whether the OS sandbox holds it. */
export function sandboxText(server: McpServerView): { text: string; warning: boolean } {
  if (server.kind === 'http') {
    return { text: 'remote: runs at its URL, not on this computer', warning: false };
  }
  if (server.sandboxed) return { text: 'sandboxed', warning: false };
  return { text: server.warning ?? 'runs unsandboxed', warning: true };
}

export const TOOL_STATUS_TEXT: Readonly<Record<McpToolReview['status'], string>> = {
  approved: 'approved',
  new: 'new',
  changed: 'changed since approved',
  removed: 'removed by the server',
  duplicated: 'listed twice',
};

/** The tools an approval pins: everything the server lists now. */
export function toolsToApprove(review: McpReview): McpToolReview[] {
  return review.tools.filter((tool) => tool.status !== 'removed');
}

/** Why the listing cannot be approved as it is, or undefined. */
export function approveProblem(review: McpReview): string | undefined {
  const twice = review.tools.filter((tool) => tool.status === 'duplicated');
  if (twice.length > 0) {
    return `The server lists ${twice.map((tool) => tool.name).join(', ')} more than once, so no version of ${twice.length === 1 ? 'it' : 'them'} can be approved.`;
  }
  return undefined;
}

export function approveLabel(review: McpReview): string {
  const count = toolsToApprove(review).length;
  return `Approve ${count} tool${count === 1 ? '' : 's'}`;
}

const HINTS: Record<string, string> = {
  readOnlyHint: 'read-only hint',
  destructiveHint: 'destructive hint',
  idempotentHint: 'idempotent hint',
  openWorldHint: 'open-world hint',
};

/**
 * The server's annotations as the claims they are ("read-only hint"). They are shown so the
 * user can compare them with the description and schema; nothing in OmniPalm acts on them —
 * a server that calls a deleting tool read-only must not skip a confirmation by saying so.
 */
export function annotationClaims(annotations: Record<string, unknown> | undefined): string[] {
  if (!annotations) return [];
  const claims: string[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    const hint = Object.hasOwn(HINTS, key) ? HINTS[key] : undefined;
    if (hint && typeof value === 'boolean') claims.push(value ? hint : `${hint}: false`);
    else if (key === 'title' && typeof value === 'string') claims.push(`title "${value}"`);
    else claims.push(`${key}: ${JSON.stringify(value)}`);
  }
  return claims;
}

/** A schema as indented JSON, keys in the server's order (what the model reads). */
export function schemaText(schema: unknown): string {
  if (schema === undefined || schema === null) return '(none)';
  return JSON.stringify(schema, null, 2);
}

export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

/** Most line pairs compared: past that, the whole before is shown removed and after added. */
const MAX_DIFF_CELLS = 250_000;

/** A line diff (longest common subsequence) of what was approved and what is listed now. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > MAX_DIFF_CELLS) {
    return [
      ...a.map((text) => ({ kind: 'removed' as const, text })),
      ...b.map((text) => ({ kind: 'added' as const, text })),
    ];
  }
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i]![j] =
        a[i] === b[j]
          ? lengths[i + 1]![j + 1]! + 1
          : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i]! });
      i += 1;
      j += 1;
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) {
      lines.push({ kind: 'removed', text: a[i]! });
      i += 1;
    } else {
      lines.push({ kind: 'added', text: b[j]! });
      j += 1;
    }
  }
  for (; i < a.length; i += 1) lines.push({ kind: 'removed', text: a[i]! });
  for (; j < b.length; j += 1) lines.push({ kind: 'added', text: b[j]! });
  return lines;
}
