// fs.write — creates or replaces (or appends to) a file, through openChecked so a swapped
// symlink cannot redirect the write; missing parent folders are created only inside the
// allowed paths.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { openChecked, PathDeniedError } from '../../policy/openChecked.js';
import {
  authorize,
  decidePaths,
  fingerprintOf,
  resolvedPath,
  type FsTool,
  type FsToolContext,
  type Plan,
} from './shared.js';

const inputSchema = z.strictObject({
  path: z.string().min(1).describe('The file to write; missing parent folders are created.'),
  content: z.string().describe('The text to write (UTF-8).'),
  append: z.boolean().optional().describe('Add to the end instead of replacing the file.'),
});
export type WriteInput = z.infer<typeof inputSchema>;
export type WritePlan = Plan<WriteInput>;

export interface WriteResult {
  path: string;
  bytesWritten: number;
  created: boolean;
}

/** Creates `folder` one level at a time, judging each level before it is made. */
export function makeFolders(context: FsToolContext, folder: string): void {
  const guard = context.enforcer.pathGuard;
  const missing: string[] = [];
  for (let current = folder; !fs.existsSync(current); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing) {
    const verdict = guard.judge(level);
    // A folder outside the allowed paths (or in a blocked one) is never created.
    if (verdict.kind !== 'allowed') {
      throw new PathDeniedError(
        verdict.kind === 'invalid' ? verdict.reason : `cannot create ${level}: ${verdict.reason}`,
        verdict,
      );
    }
    fs.mkdirSync(verdict.realPath, { mode: 0o755 });
  }
}

export const fsWrite: FsTool<WriteInput, WritePlan, WriteResult> = {
  name: 'fs.write',
  modelName: 'fs_write',
  description:
    'Write a text file inside the allowed folders, creating missing parent folders. Replaces the file unless append is true.',
  inputSchema,
  operation: 'write',

  plan(input, context) {
    const target = resolvedPath(context.enforcer.pathGuard, input.path, context.cwd);
    const decision = decidePaths(context, 'write', [input.path], true);
    const exists = fs.existsSync(target);
    const verb = input.append ? 'Append to' : exists ? 'Overwrite' : 'Create';
    return {
      tool: 'fs.write',
      input,
      targets: [target],
      decision,
      summary: `${verb} ${target} (${Buffer.byteLength(input.content)} bytes)`,
      preview: [target],
      fingerprint: fingerprintOf([target]),
    };
  },

  async execute(plan, context) {
    const target = plan.targets[0]!;
    authorize(plan, context, [{ op: 'write', paths: [target] }]);
    makeFolders(context, path.dirname(target));
    const created = !fs.existsSync(target);
    const { constants } = fs;
    const flags =
      constants.O_CREAT |
      constants.O_WRONLY |
      (plan.input.append ? constants.O_APPEND : constants.O_TRUNC);
    const { fd, realPath } = openChecked(context.enforcer.pathGuard, target, flags, 0o644);
    try {
      const bytes = Buffer.from(plan.input.content, 'utf8');
      let written = 0;
      while (written < bytes.length) {
        written += fs.writeSync(fd, bytes, written, bytes.length - written);
      }
      return { path: realPath, bytesWritten: written, created };
    } finally {
      fs.closeSync(fd);
    }
  },
};
