// What every file-system tool shares: the context, the Plan (the exact targets a user saw in
// the preview, with the policy's answer), and the policy calls — a dry run at plan time, the
// real charge at execution, and a refusal to run anything the policy denied.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { PathGuard, PathVerdict } from '../../policy/pathGuard.js';
import type { Policy } from '../../policy/taskPolicy.js';
import type { PathOperation, PolicyDecision } from '../../policy/types.js';

export type FsOperation = PathOperation['op'];

export interface FsToolContext {
  enforcer: Policy;
  /** The task's working folder: relative paths are resolved in it. */
  cwd: string;
  signal?: AbortSignal;
}

export interface Plan<Input> {
  tool: string;
  input: Input;
  /** Exact resolved paths the tool will touch, sorted. */
  targets: string[];
  decision: PolicyDecision;
  /** One line for the confirmation prompt. */
  summary: string;
  /** Preview lines shown under the summary. */
  preview: string[];
  /** Stable hash of the sorted targets: changes when the targets change. */
  fingerprint: string;
}

export interface FsTool<Input, P extends Plan<Input>, Result> {
  name: `fs.${string}`;
  modelName: `fs_${string}`;
  description: string;
  inputSchema: z.ZodType<Input>;
  operation: FsOperation;
  plan(input: Input, context: FsToolContext): P;
  execute(plan: P, context: FsToolContext): Promise<Result>;
  /** The files whose text `result` shows the model and that are not trusted (AgentTool). */
  untrustedSources?(result: Result, context: FsToolContext): string[];
}

/**
 * A document is untrusted content unless it lives in security.trusted_paths: a file the
 * user saved from an email or the web can carry instructions addressed to the model.
 */
export function untrustedFiles(tool: string, files: Iterable<string>, guard: PathGuard): string[] {
  const sources: string[] = [];
  for (const file of new Set(files)) {
    if (!guard.isTrusted(file)) sources.push(`${tool} ${file}`);
  }
  return sources;
}

export class PolicyDeniedError extends Error {
  constructor(
    readonly tool: string,
    readonly decision: PolicyDecision,
  ) {
    super(`${tool} was denied: ${decision.reason}`);
    this.name = 'PolicyDeniedError';
  }
}

export function fingerprintOf(targets: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([...targets].sort()))
    .digest('hex');
}

const SEVERITY = { allow: 0, ask: 1, deny: 2 } as const;

/** The stricter of two decisions (deny beats ask beats allow). */
export function stricter(first: PolicyDecision, second: PolicyDecision): PolicyDecision {
  const winner = SEVERITY[second.decision] > SEVERITY[first.decision] ? second : first;
  return { ...winner, details: [...(first.details ?? []), ...(second.details ?? [])] };
}

export function denial(reason: string, rule = 'tools.fs'): PolicyDecision {
  return { decision: 'deny', reason, risk: 'high', rule };
}

/** The policy's answer for `op` on `paths`, charging the rate limit only when not a dry run. */
export function decidePaths(
  context: FsToolContext,
  op: FsOperation,
  paths: string[],
  dryRun: boolean,
): PolicyDecision {
  return context.enforcer.decide({ op, paths, cwd: context.cwd }, { dryRun });
}

/** Refuses a plan the policy denied at preview time, then charges the real decision. */
export function authorize<Input>(
  plan: Plan<Input>,
  context: FsToolContext,
  charges: { op: FsOperation; paths: string[] }[],
): void {
  if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
  context.signal?.throwIfAborted();
  for (const charge of charges) {
    const decision = decidePaths(context, charge.op, charge.paths, false);
    if (decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, decision);
  }
}

/** The real path a path will be opened at (symlinks followed), or the input when invalid. */
export function resolvedPath(guard: PathGuard, input: string, cwd: string): string {
  const verdict = guard.judge(input, cwd);
  return verdict.kind === 'invalid' ? input : verdict.realPath;
}

/**
 * The path of the entry itself, its folder resolved but not its last component: what unlink
 * and rename act on, so a symlink is removed or moved as a link, never through it.
 */
export function entryPath(guard: PathGuard, input: string, cwd: string): string {
  const verdict = guard.judge(input, cwd);
  if (verdict.kind === 'invalid') return input;
  const written =
    input === '~' || input.startsWith('~/')
      ? path.join(resolvedPath(guard, '~', cwd), input.slice(1))
      : path.resolve(cwd, input);
  let isLink = false;
  try {
    isLink = fs.lstatSync(written).isSymbolicLink();
  } catch {
    // Missing: the resolved path is where it would be.
  }
  if (!isLink) return verdict.realPath;
  return path.join(resolvedPath(guard, path.dirname(written), cwd), path.basename(written));
}

/** Folders a destructive tool must never remove: "/", the home folder, each allowed root. */
export function protectedFolders(guard: PathGuard, targets: readonly string[]): Set<string> {
  const folders = new Set<string>([path.parse(process.cwd()).root, resolvedPath(guard, '~', '/')]);
  for (const target of targets) {
    const verdict = guard.judge(target);
    if (verdict.kind === 'allowed') folders.add(resolvedPath(guard, verdict.root, '/'));
  }
  return folders;
}

/** "~/…" for paths under the home folder: previews read like the guide. */
export function displayPath(guard: PathGuard, absolute: string): string {
  const home = resolvedPath(guard, '~', '/');
  if (absolute === home) return '~';
  return absolute.startsWith(home + path.sep) ? `~${absolute.slice(home.length)}` : absolute;
}

export interface WalkedEntry {
  absolute: string;
  /** Relative to the walk's root, "/"-separated. */
  relative: string;
  stat: fs.Stats;
  verdict: PathVerdict;
}

/**
 * Visits the entries below `root` without following symlinks; entries inside blocked paths
 * are skipped (they are never shown, matched or entered), and only allowed folders are
 * entered, so a walk cannot leave the allowed paths.
 */
export function* walk(
  guard: PathGuard,
  root: string,
  options: { recursive: boolean; signal?: AbortSignal | undefined },
): Generator<WalkedEntry> {
  const pending: { folder: string; prefix: string }[] = [{ folder: root, prefix: '' }];
  while (pending.length > 0) {
    options.signal?.throwIfAborted();
    const { folder, prefix } = pending.shift()!;
    let names: string[];
    try {
      names = fs.readdirSync(folder).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const absolute = path.join(folder, name);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(absolute);
      } catch {
        continue;
      }
      const verdict = guard.judge(absolute);
      if (verdict.kind === 'blocked' || verdict.kind === 'invalid') continue;
      const relative = prefix + name;
      yield { absolute, relative, stat, verdict };
      if (options.recursive && stat.isDirectory() && verdict.kind === 'allowed') {
        pending.push({ folder: absolute, prefix: `${relative}/` });
      }
    }
  }
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
