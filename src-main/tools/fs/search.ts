// fs.search — files below a folder whose path matches a glob and, optionally, whose text
// contains a substring. Walks like fs.list (blocked entries hidden, symlinks never followed)
// and opens every file it reads through openChecked.
import fs from 'node:fs';
import { z } from 'zod';
import { openChecked } from '../../policy/openChecked.js';
import { globToRegExp } from './glob.js';
import { DEFAULT_MAX_READ_BYTES, looksBinary, readPrefix } from './read.js';
import {
  authorize,
  decidePaths,
  fingerprintOf,
  resolvedPath,
  walk,
  type FsTool,
  type FsToolContext,
  type Plan,
} from './shared.js';

export const DEFAULT_MAX_RESULTS = 200;

const inputSchema = z.strictObject({
  path: z.string().min(1).describe('The folder to search below.'),
  pattern: z
    .string()
    .min(1)
    .describe(
      'Glob for the file path relative to the folder (*, ?, **, [abc]); without a "/" it matches the file name at any depth.',
    ),
  contains: z.string().min(1).optional().describe('Only files whose text contains this.'),
  maxResults: z
    .number()
    .int()
    .positive()
    .max(10_000)
    .optional()
    .describe(`Stop after this many matches (default ${DEFAULT_MAX_RESULTS}).`),
});
export type SearchInput = z.infer<typeof inputSchema>;
export type SearchPlan = Plan<SearchInput>;

export interface SearchMatch {
  /** Absolute path. */
  path: string;
  size: number;
  /** With `contains`: the first line (1-based) that contains it. */
  line?: number;
}

export interface SearchResult {
  path: string;
  matches: SearchMatch[];
  truncated: boolean;
}

/** The 1-based line of the first occurrence of `needle`, or undefined (binary files never match). */
function findInFile(context: FsToolContext, file: string, needle: string): number | undefined {
  let fd: number;
  try {
    ({ fd } = openChecked(context.enforcer.pathGuard, file, fs.constants.O_RDONLY));
  } catch {
    return undefined; // Unreadable or refused: not a match, and nothing of it leaks.
  }
  try {
    const bytes = readPrefix(fd, DEFAULT_MAX_READ_BYTES, context.signal);
    if (looksBinary(bytes)) return undefined;
    const text = bytes.toString('utf8');
    const at = text.indexOf(needle);
    return at === -1 ? undefined : text.slice(0, at).split('\n').length;
  } finally {
    fs.closeSync(fd);
  }
}

export const fsSearch: FsTool<SearchInput, SearchPlan, SearchResult> = {
  name: 'fs.search',
  modelName: 'fs_search',
  description:
    'Find files below a folder by glob pattern (e.g. "**/*.ts" or "*.log"), optionally only those containing a text. Results are capped at maxResults.',
  inputSchema,
  operation: 'read',

  plan(input, context) {
    const target = resolvedPath(context.enforcer.pathGuard, input.path, context.cwd);
    const what = input.contains ? ` containing ${JSON.stringify(input.contains)}` : '';
    return {
      tool: 'fs.search',
      input,
      targets: [target],
      decision: decidePaths(context, 'read', [input.path], true),
      summary: `Search ${target} for ${input.pattern}${what}`,
      preview: [target],
      fingerprint: fingerprintOf([target]),
    };
  },

  async execute(plan, context) {
    const target = plan.targets[0]!;
    authorize(plan, context, [{ op: 'read', paths: [target] }]);
    const { pattern, contains } = plan.input;
    const matcher = globToRegExp(pattern);
    const byName = !pattern.includes('/');
    const limit = plan.input.maxResults ?? DEFAULT_MAX_RESULTS;
    const matches: SearchMatch[] = [];
    let truncated = false;
    const walker = walk(context.enforcer.pathGuard, target, {
      recursive: true,
      signal: context.signal,
    });
    for (const { absolute, relative, stat, verdict } of walker) {
      if (!stat.isFile() || verdict.kind !== 'allowed') continue;
      const name = byName ? relative.slice(relative.lastIndexOf('/') + 1) : relative;
      if (!matcher.test(name)) continue;
      let line: number | undefined;
      if (contains !== undefined) {
        line = findInFile(context, absolute, contains);
        if (line === undefined) continue;
      }
      if (matches.length >= limit) {
        truncated = true;
        break;
      }
      matches.push({ path: absolute, size: stat.size, ...(line !== undefined ? { line } : {}) });
    }
    return { path: target, matches, truncated };
  },
};
