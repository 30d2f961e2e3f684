// Opening by path after checking the path leaves a window: between the check and the open an
// attacker can swap a checked file (or a folder above it) for a symlink to ~/.ssh/id_rsa.
// openChecked closes it by judging what was actually opened — the file descriptor's own
// path (/proc/self/fd/N on Linux) and its device + inode — and refusing it otherwise.
import fs from 'node:fs';
import path from 'node:path';
import type { PathGuard, PathVerdict } from './pathGuard.js';

export class PathDeniedError extends Error {
  constructor(
    message: string,
    readonly verdict: PathVerdict,
  ) {
    super(message);
    this.name = 'PathDeniedError';
  }
}

export interface CheckedFile {
  fd: number;
  realPath: string;
}

function fdPath(fd: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/**
 * Opens `input` only if the policy allows it, and verifies the opened descriptor before
 * returning it. Flags are fs.open flags; the last component is never followed as a symlink.
 */
export function openChecked(
  guard: PathGuard,
  input: string,
  flags: number = fs.constants.O_RDONLY,
  mode = 0o600,
  cwd?: string,
): CheckedFile {
  const before = guard.judge(input, cwd);
  if (before.kind !== 'allowed') throw new PathDeniedError(before.reason, before);
  // O_NOFOLLOW: a symlink planted at the final name after the check is refused by the kernel.
  const fd = fs.openSync(before.realPath, flags | fs.constants.O_NOFOLLOW, mode);
  try {
    const opened = fdPath(fd);
    const stat = fs.fstatSync(fd);
    let verdict: PathVerdict;
    if (opened !== undefined) {
      verdict = guard.judge(opened);
    } else {
      // No /proc: the file we hold must be the very inode now at the checked path.
      const current = fs.statSync(before.realPath);
      verdict =
        current.dev === stat.dev && current.ino === stat.ino
          ? guard.judge(before.realPath)
          : { kind: 'invalid', reason: `${input} changed while it was being opened` };
    }
    if (verdict.kind === 'allowed') verdict = guard.judgeStat(stat, verdict.realPath) ?? verdict;
    if (verdict.kind !== 'allowed') {
      throw new PathDeniedError(
        `${input}: the opened file is not allowed: ${verdict.reason}`,
        verdict,
      );
    }
    return { fd, realPath: opened ?? path.resolve(before.realPath) };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
