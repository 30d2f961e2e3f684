// fs.list — a folder's entries. Entries inside blocked paths are hidden (not even their names
// reach the model), and symlinks are shown as links, never followed.
import { z } from 'zod';
import {
  authorize,
  decidePaths,
  fingerprintOf,
  resolvedPath,
  walk,
  type FsTool,
  type Plan,
} from './shared.js';

export const DEFAULT_MAX_ENTRIES = 1000;

const inputSchema = z.strictObject({
  path: z.string().min(1).describe('The folder to list.'),
  recursive: z.boolean().optional().describe('Also list the folders below it.'),
  maxEntries: z
    .number()
    .int()
    .positive()
    .max(100_000)
    .optional()
    .describe(`Stop after this many entries (default ${DEFAULT_MAX_ENTRIES}).`),
});
export type ListInput = z.infer<typeof inputSchema>;
export type ListPlan = Plan<ListInput>;

export type EntryType = 'file' | 'folder' | 'symlink' | 'other';

export interface ListEntry {
  /** Relative to the listed folder, "/"-separated. */
  name: string;
  type: EntryType;
  /** Bytes, for files. */
  size?: number;
}

export interface ListResult {
  path: string;
  entries: ListEntry[];
  truncated: boolean;
}

export const fsList: FsTool<ListInput, ListPlan, ListResult> = {
  name: 'fs.list',
  modelName: 'fs_list',
  description:
    'List a folder inside the allowed folders: name, type (file, folder, symlink) and size. Optionally recursive; capped at maxEntries.',
  inputSchema,
  operation: 'list',

  plan(input, context) {
    const target = resolvedPath(context.enforcer.pathGuard, input.path, context.cwd);
    return {
      tool: 'fs.list',
      input,
      targets: [target],
      decision: decidePaths(context, 'list', [input.path], true),
      summary: `List ${target}${input.recursive ? ' and the folders below it' : ''}`,
      preview: [target],
      fingerprint: fingerprintOf([target]),
    };
  },

  async execute(plan, context) {
    const target = plan.targets[0]!;
    authorize(plan, context, [{ op: 'list', paths: [target] }]);
    const limit = plan.input.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const entries: ListEntry[] = [];
    let truncated = false;
    const walker = walk(context.enforcer.pathGuard, target, {
      recursive: plan.input.recursive ?? false,
      signal: context.signal,
    });
    for (const { relative, stat } of walker) {
      if (entries.length >= limit) {
        truncated = true;
        break;
      }
      const type: EntryType = stat.isSymbolicLink()
        ? 'symlink'
        : stat.isDirectory()
          ? 'folder'
          : stat.isFile()
            ? 'file'
            : 'other';
      entries.push(
        type === 'file' ? { name: relative, type, size: stat.size } : { name: relative, type },
      );
    }
    return { path: target, entries, truncated };
  },
};
