// fs.delete — deletes files (and folders named explicitly), glob-aware. The plan is what the
// user confirms: the exact resolved targets, counted per folder in the preview, and a
// fingerprint of them. execute() re-resolves the globs and, if the set changed since the
// preview (a new matching file appeared, one got old enough…), deletes nothing and throws
// TargetsChangedError with the new plan, so the user is asked again about what will really go.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PathGuard } from '../../policy/pathGuard.js';
import { globToRegExp, splitGlob } from './glob.js';
import {
  authorize,
  decidePaths,
  denial,
  displayPath,
  entryPath,
  fingerprintOf,
  plural,
  protectedFolders,
  walk,
  type FsTool,
  type FsToolContext,
  type Plan,
} from './shared.js';

/** More than this many matches is refused: narrow the pattern instead. */
export const MAX_DELETE_TARGETS = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;

const inputSchema = z.strictObject({
  paths: z
    .array(z.string().min(1))
    .min(1)
    .describe('Files, folders or globs (*, ?, **, [abc]) to delete, e.g. "~/logs/**/*.log".'),
  olderThanDays: z
    .number()
    .nonnegative()
    .optional()
    .describe('Only what was last modified more than this many days ago.'),
});
export type DeleteInput = z.infer<typeof inputSchema>;

export interface DeletePlan extends Plan<DeleteInput> {
  /** Every target, one line each, for the confirmation's "List" button. */
  fullList: string[];
}

export interface DeleteResult {
  deleted: string[];
  failed: { path: string; error: string }[];
}

export class TargetsChangedError extends Error {
  constructor(readonly plan: DeletePlan) {
    super(
      `the files to delete changed since the preview; nothing was deleted. ${plan.summary}`.trim(),
    );
    this.name = 'TargetsChangedError';
  }
}

interface Target {
  path: string;
  /** How it is grouped in the preview: the folder plus the pattern's last part. */
  group: string;
  folder: boolean;
}

interface Resolution {
  targets: Target[];
  /** Refusal found while resolving (a base outside the allowed paths, too many matches…). */
  refusal?: { op: 'delete'; input: string } | { reason: string };
}

function isOldEnough(stat: fs.Stats, olderThanDays: number | undefined, now: number): boolean {
  return olderThanDays === undefined || now - stat.mtimeMs > olderThanDays * DAY_MS;
}

function resolveTargets(
  guard: PathGuard,
  input: DeleteInput,
  cwd: string,
  signal?: AbortSignal,
): Resolution {
  const now = Date.now();
  const found = new Map<string, Target>();
  for (const pattern of input.paths) {
    const { base, rest } = splitGlob(pattern);
    if (rest === undefined) {
      const target = entryPath(guard, pattern, cwd);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(target);
      } catch {
        continue; // Already gone: nothing to delete, and nothing to refuse.
      }
      if (!isOldEnough(stat, input.olderThanDays, now)) continue;
      const folder = stat.isDirectory();
      found.set(target, { path: target, group: displayPath(guard, target), folder });
      continue;
    }
    const verdict = guard.judge(base, cwd);
    // The folder a glob starts from must itself be allowed; decide() says why it is not.
    if (verdict.kind !== 'allowed') return { targets: [], refusal: { op: 'delete', input: base } };
    const matcher = globToRegExp(rest);
    const last = rest.slice(rest.lastIndexOf('/') + 1);
    const recursive = rest.includes('/') || rest.includes('**');
    for (const entry of walk(guard, verdict.realPath, { recursive, signal })) {
      // Globs pick files and symlinks only: a wildcard never takes a whole folder with it.
      if (entry.stat.isDirectory() || !matcher.test(entry.relative)) continue;
      if (!isOldEnough(entry.stat, input.olderThanDays, now)) continue;
      const group = displayPath(guard, path.join(path.dirname(entry.absolute), last));
      found.set(entry.absolute, { path: entry.absolute, group, folder: false });
      if (found.size > MAX_DELETE_TARGETS) {
        return {
          targets: [],
          refusal: {
            reason: `${pattern} matches more than ${MAX_DELETE_TARGETS} files; use a narrower pattern`,
          },
        };
      }
    }
  }
  return { targets: [...found.values()].sort((a, b) => (a.path < b.path ? -1 : 1)) };
}

function summaryOf(targets: Target[]): string {
  if (targets.length === 0) return 'Nothing matches, so nothing will be deleted.';
  const folders = targets.filter((target) => target.folder).length;
  const files = targets.length - folders;
  const parts = [
    files > 0 ? plural(files, 'file') : '',
    folders > 0 ? plural(folders, 'folder') : '',
  ];
  const what = parts.filter(Boolean).join(' and ');
  return `This will delete ${what}${folders > 0 ? ' (with everything in them)' : ''}. Proceed?`;
}

function previewOf(targets: Target[]): string[] {
  const groups = new Map<string, Target[]>();
  for (const target of targets)
    groups.set(target.group, [...(groups.get(target.group) ?? []), target]);
  // Sorted by folder, so a folder comes right before the folders inside it.
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, members]) => {
      const noun = members.every((member) => member.folder) ? 'folder' : 'file';
      return `${group} (${plural(members.length, noun)})`;
    });
}

function planDelete(input: DeleteInput, context: FsToolContext): DeletePlan {
  const guard = context.enforcer.pathGuard;
  const { targets, refusal } = resolveTargets(guard, input, context.cwd, context.signal);
  const paths = targets.map((target) => target.path);
  let decision;
  if (refusal && 'op' in refusal) {
    decision = decidePaths(context, 'delete', [refusal.input], true);
  } else if (refusal) {
    decision = denial(refusal.reason, 'input');
  } else if (paths.length === 0) {
    decision = {
      decision: 'allow',
      reason: 'nothing matches',
      risk: 'low',
      rule: 'default',
    } as const;
  } else {
    decision = decidePaths(context, 'delete', paths, true);
    const protectedPaths = protectedFolders(guard, paths);
    const forbidden = paths.find((target) => protectedPaths.has(target));
    if (forbidden) {
      decision = denial(
        `${forbidden} is the root, the home folder or an allowed folder itself, and is never deleted`,
      );
    }
  }
  return {
    tool: 'fs.delete',
    input,
    targets: paths,
    decision,
    summary: summaryOf(targets),
    preview: previewOf(targets),
    fullList: paths.map((target) => displayPath(guard, target)),
    fingerprint: fingerprintOf(paths),
  };
}

/** Removes one target without following a symlink: a link is unlinked, never its target. */
function removeOne(guard: PathGuard, target: string): void {
  const verdict = guard.judge(target);
  if (verdict.kind === 'blocked' || verdict.kind === 'invalid') {
    throw new Error(`${target} is no longer allowed: ${verdict.reason}`);
  }
  const stat = fs.lstatSync(target);
  if (stat.isDirectory()) {
    if (verdict.kind === 'allowed' && verdict.containsBlocked) {
      throw new Error(`${target} contains blocked path ${verdict.containsBlocked}`);
    }
    // rm does not follow symlinks inside the folder: links are removed as links.
    fs.rmSync(target, { recursive: true });
  } else {
    fs.unlinkSync(target);
  }
}

export const fsDelete: FsTool<DeleteInput, DeletePlan, DeleteResult> = {
  name: 'fs.delete',
  modelName: 'fs_delete',
  description:
    'Delete files inside the allowed folders; accepts globs (e.g. "logs/**/*.log") and olderThanDays. Shows the user how many files per folder before anything is deleted. Folders are deleted only when named explicitly.',
  inputSchema,
  operation: 'delete',
  plan: planDelete,

  async execute(plan, context) {
    if (plan.decision.decision === 'deny') authorize(plan, context, []);
    const fresh = planDelete(plan.input, context);
    if (fresh.fingerprint !== plan.fingerprint) throw new TargetsChangedError(fresh);
    const result: DeleteResult = { deleted: [], failed: [] };
    if (plan.targets.length === 0) return result;
    authorize(fresh, context, [{ op: 'delete', paths: plan.targets }]);
    const guard = context.enforcer.pathGuard;
    for (const target of plan.targets) {
      context.signal?.throwIfAborted();
      try {
        removeOne(guard, target);
        result.deleted.push(target);
      } catch (error) {
        result.failed.push({ path: target, error: (error as Error).message });
      }
    }
    return result;
  },
};
