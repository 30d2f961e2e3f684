// Turns zod issues into the one-line-per-problem messages users see, pointing at file:line:col
// when the value came from a file: `config.yaml:7:5: security.allowed_paths[2]: expected a path, got 42`.
import type { Document, LineCounter } from 'yaml';
import { isMap, isPair, isScalar } from 'yaml';
import type { z } from 'zod';
import { unknownKeyMessage } from './keys.js';

/** A configuration problem. `problems` holds one line each; the message joins them. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function messageFor(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  const withGot = (message: string) =>
    message.includes(', got ') ? message : `${message}, got ${describeValue(input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return withGot(
        issue.message.startsWith('Invalid input') ? `expected ${issue.expected}` : issue.message,
      );
    case 'invalid_value':
      return withGot(
        `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`,
      );
    default:
      return withGot(issue.message);
  }
}

export interface SourceMap {
  file: string;
  document?: Document;
  lineCounter?: LineCounter;
}

function locate(source: SourceMap, path: readonly PropertyKey[], key?: string): string {
  const { document, lineCounter, file } = source;
  if (!document || !lineCounter) return file;
  const node = document.getIn(path as unknown[], true);
  let offset: number | undefined;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find(
      (item) => isPair(item) && isScalar(item.key) && item.key.value === key,
    );
    offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
  } else if (node && typeof node === 'object' && 'range' in node) {
    offset = (node as { range?: [number, number, number] }).range?.[0];
  }
  if (offset === undefined) return file;
  const { line, col } = lineCounter.linePos(offset);
  return `${file}:${line}:${col}`;
}

/** One line per problem, unknown keys each on their own line with a suggestion. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], source: SourceMap): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const full = formatPath([...issue.path, key]);
        lines.push(`${locate(source, issue.path, key)}: ${unknownKeyMessage(full)}`);
      }
      continue;
    }
    const where = formatPath(issue.path);
    lines.push(`${locate(source, issue.path)}: ${where || '(top level)'}: ${messageFor(issue)}`);
  }
  return lines;
}
