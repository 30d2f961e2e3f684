// fs.move — renames a file or folder. The source is judged as a delete (it disappears from
// where it was) and the destination as a write; a symlink moves as a link, never through it.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  authorize,
  decidePaths,
  denial,
  entryPath,
  fingerprintOf,
  protectedFolders,
  resolvedPath,
  stricter,
  type FsTool,
  type Plan,
} from './shared.js';
import { makeFolders } from './write.js';

const inputSchema = z.strictObject({
  from: z.string().min(1).describe('The file or folder to move.'),
  to: z.string().min(1).describe('Where it goes (the new path, not a folder to put it in).'),
  overwrite: z.boolean().optional().describe('Replace an existing file at "to".'),
});
export type MoveInput = z.infer<typeof inputSchema>;
export type MovePlan = Plan<MoveInput>;

export interface MoveResult {
  from: string;
  to: string;
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

export const fsMove: FsTool<MoveInput, MovePlan, MoveResult> = {
  name: 'fs.move',
  modelName: 'fs_move',
  description:
    'Move or rename a file or folder inside the allowed folders. Refuses to replace an existing file unless overwrite is true.',
  inputSchema,
  operation: 'write',

  plan(input, context) {
    const guard = context.enforcer.pathGuard;
    const from = entryPath(guard, input.from, context.cwd);
    const to = resolvedPath(guard, input.to, context.cwd);
    let decision = stricter(
      decidePaths(context, 'delete', [input.from], true),
      decidePaths(context, 'write', [input.to], true),
    );
    if (protectedFolders(guard, [from]).has(from)) {
      decision = denial(`${from} is the root, the home folder or an allowed folder itself`);
    } else if (!exists(from)) {
      decision = denial(`${input.from} does not exist`, 'input');
    } else if (exists(to) && !input.overwrite) {
      decision = denial(`${to} already exists; pass overwrite: true to replace it`, 'input');
    }
    const targets = [from, to];
    return {
      tool: 'fs.move',
      input,
      targets,
      decision,
      summary: `Move ${from} to ${to}`,
      preview: [`${from} → ${to}`],
      fingerprint: fingerprintOf(targets),
    };
  },

  async execute(plan, context) {
    const [from, to] = plan.targets as [string, string];
    authorize(plan, context, [
      { op: 'delete', paths: [from] },
      { op: 'write', paths: [to] },
    ]);
    // Checked again right before the rename: the destination may have appeared since the plan.
    if (exists(to) && !plan.input.overwrite) {
      throw new Error(`${to} already exists; pass overwrite: true to replace it`);
    }
    makeFolders(context, path.dirname(to));
    fs.renameSync(from, to);
    return { from, to };
  },
};
