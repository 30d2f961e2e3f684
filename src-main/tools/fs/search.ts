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
  untrustedFiles,
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
  /** With `contains`: that line and the ones around it, each cut at MAX_EXCERPT_LINE_CHARS. */
  excerpt?: string[];
}

/** Lines shown before and after the matching line. */
export const EXCERPT_CONTEXT_LINES = 1;
export const MAX_EXCERPT_LINE_CHARS = 300;

export interface SearchResult {
  path: string;
  matches: SearchMatch[];
  truncated: boolean;
}

interface FoundLine {
  line: number;
  excerpt: string[];
}

function cutLine(piece: string): string {
  return piece.length > MAX_EXCERPT_LINE_CHARS
    ? `${piece.slice(0, MAX_EXCERPT_LINE_CHARS)}… (${piece.length - MAX_EXCERPT_LINE_CHARS} more characters)`
    : piece;
}

/** The line holding offset `at` (1-based) and its neighbours, without splitting a 1 MB file. */
function excerptAround(text: string, at: number): FoundLine {
  const start = at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
  const line = text.slice(0, start).split('\n').length;
  let from = start;
  let before = 0;
  while (before < EXCERPT_CONTEXT_LINES && from > 0) {
    from = text.lastIndexOf('\n', from - 2) + 1;
    before++;
  }
  const excerpt: string[] = [];
  let cursor = from;
  while (excerpt.length < before + 1 + EXCERPT_CONTEXT_LINES) {
    const end = text.indexOf('\n', cursor);
    if (end === -1 && cursor === text.length && excerpt.length > 0) break; // the final newline
    excerpt.push(cutLine(text.slice(cursor, end === -1 ? undefined : end).replace(/\r$/, '')));
    if (end === -1) break;
    cursor = end + 1;
  }
  return { line, excerpt };
}

/** The first line containing `needle` and its neighbours, or undefined (binary files never match). */
function findInFile(context: FsToolContext, file: string, needle: string): FoundLine | undefined {
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
    return at === -1 ? undefined : excerptAround(text, at);
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
      let found: FoundLine | undefined;
      if (contains !== undefined) {
        found = findInFile(context, absolute, contains);
        if (found === undefined) continue;
      }
      if (matches.length >= limit) {
        truncated = true;
        break;
      }
      matches.push({ path: absolute, size: stat.size, ...found });
    }
    return { path: target, matches, truncated };
  },

  untrustedSources(result, context) {
    // Only matches with text carry a document's words; names and sizes are the file system's.
    const withText = result.matches.filter((match) => match.excerpt !== undefined);
    return untrustedFiles(
      'fs.search',
      withText.map((match) => match.path),
      context.enforcer.pathGuard,
    );
  },
};
