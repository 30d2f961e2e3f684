// fs.read — a file's text, through openChecked so a swapped symlink cannot redirect the read.
import fs from 'node:fs';
import { z } from 'zod';
import { openChecked } from '../../policy/openChecked.js';
import {
  authorize,
  decidePaths,
  fingerprintOf,
  resolvedPath,
  untrustedFiles,
  type FsTool,
  type Plan,
} from './shared.js';

export const DEFAULT_MAX_READ_BYTES = 1024 * 1024;
const BINARY_SNIFF_BYTES = 8000;

const inputSchema = z.strictObject({
  path: z.string().min(1).describe('The file to read.'),
  maxBytes: z
    .number()
    .int()
    .positive()
    .max(16 * 1024 * 1024)
    .optional()
    .describe(`Read at most this many bytes (default ${DEFAULT_MAX_READ_BYTES}).`),
});
export type ReadInput = z.infer<typeof inputSchema>;
export type ReadPlan = Plan<ReadInput>;

export interface ReadResult {
  path: string;
  size: number;
  binary: boolean;
  truncated: boolean;
  /** The text; empty for a binary file. */
  text: string;
  /** Says what was left out, when something was. */
  note?: string;
}

/** A NUL byte in the first few KB is how git and grep tell binary from text, too. */
export function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Reads up to `limit` bytes from `fd`, honouring an abort between chunks. */
export function readPrefix(fd: number, limit: number, signal?: AbortSignal): Buffer {
  // Sized to the file (plus one byte to notice growth), not the limit: a 300-byte file must
  // not zero 1 MB. Unsafe is fine: only the filled part is returned.
  let size = limit;
  try {
    size = Math.min(limit, fs.fstatSync(fd).size + 1);
  } catch {
    // Unknown size: read up to the limit.
  }
  let buffer = Buffer.allocUnsafe(Math.max(size, 1));
  let filled = 0;
  while (filled < limit) {
    signal?.throwIfAborted();
    if (filled === buffer.length) {
      // The file grew while being read: keep going, up to the limit.
      const bigger = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
      buffer.copy(bigger, 0, 0, filled);
      buffer = bigger;
    }
    const read = fs.readSync(fd, buffer, filled, Math.min(buffer.length - filled, 65536), null);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

export const fsRead: FsTool<ReadInput, ReadPlan, ReadResult> = {
  name: 'fs.read',
  modelName: 'fs_read',
  description:
    'Read a text file inside the allowed folders. Large files are cut at maxBytes (1 MB by default) with a note; binary files are reported, not dumped.',
  inputSchema,
  operation: 'read',

  plan(input, context) {
    const target = resolvedPath(context.enforcer.pathGuard, input.path, context.cwd);
    const decision = decidePaths(context, 'read', [input.path], true);
    return {
      tool: 'fs.read',
      input,
      targets: [target],
      decision,
      summary: `Read ${target}`,
      preview: [target],
      fingerprint: fingerprintOf([target]),
    };
  },

  async execute(plan, context) {
    const target = plan.targets[0]!;
    authorize(plan, context, [{ op: 'read', paths: [target] }]);
    const limit = plan.input.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    const { fd } = openChecked(context.enforcer.pathGuard, target, fs.constants.O_RDONLY);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new Error(`${target} is not a regular file`);
      // One byte past the limit tells a file that grew since fstat from one that fits.
      const bytes = readPrefix(fd, limit + 1, context.signal);
      const truncated = bytes.length > limit;
      const kept = truncated ? bytes.subarray(0, limit) : bytes;
      const size = Math.max(stat.size, bytes.length);
      if (looksBinary(kept)) {
        return {
          path: target,
          size,
          binary: true,
          truncated: false,
          text: '',
          note: `${target} is a binary file (${size} bytes); its content is not shown`,
        };
      }
      return {
        path: target,
        size,
        binary: false,
        truncated,
        text: kept.toString('utf8'),
        ...(truncated
          ? {
              note: `[truncated: showing the first ${limit} of ${size} bytes; pass a larger maxBytes to read more]`,
            }
          : {}),
      };
    } finally {
      fs.closeSync(fd);
    }
  },

  untrustedSources(result, context) {
    // A binary file's bytes are not shown to the model; its note is our own text.
    if (result.binary) return [];
    return untrustedFiles('fs.read', [result.path], context.enforcer.pathGuard);
  },
};
