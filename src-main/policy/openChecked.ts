// Opening by path after checking the path leaves a window: between the check and the open an
// attacker can swap a checked file, or a folder above it, for a symlink to ~/.ssh/id_rsa.
// openChecked closes it on Linux by opening the checked parent folder first, verifying that
// descriptor, and then opening the file *through* it (/proc/self/fd/<dir>/<name>, the
// kernel's own handle, with O_NOFOLLOW), so no later swap above the file can redirect it; the
// opened file is then verified again by its own descriptor path and device + inode. O_TRUNC
// is applied only after all checks pass, so a refused open never destroys data.
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

const PROC_FD = process.platform === 'linux' && fs.existsSync('/proc/self/fd');

function descriptorPath(fd: number): string | undefined {
  return PROC_FD ? fs.readlinkSync(`/proc/self/fd/${fd}`) : undefined;
}

function deny(input: string, verdict: PathVerdict): never {
  const reason = verdict.kind === 'allowed' ? 'changed while it was being opened' : verdict.reason;
  throw new PathDeniedError(`${input}: the opened file is not allowed: ${reason}`, verdict);
}

const raced = (reason: string): PathVerdict => ({ kind: 'invalid', reason });

/**
 * Opens `input` only if the policy allows it, and verifies the opened descriptor before
 * returning it. `flags` are numeric fs.open flags; the last component is never followed.
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
  const truncate = (flags & fs.constants.O_TRUNC) !== 0;
  const openFlags = (flags & ~fs.constants.O_TRUNC) | fs.constants.O_NOFOLLOW;

  let fd: number;
  if (PROC_FD) {
    const folder = path.dirname(before.realPath);
    const dirFd = fs.openSync(folder, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      // The folder we hold must be the one that was judged, and still allowed.
      const heldFolder = descriptorPath(dirFd)!;
      const folderVerdict = guard.judge(heldFolder);
      if (folderVerdict.kind === 'blocked' || folderVerdict.kind === 'invalid') {
        deny(input, folderVerdict);
      }
      if (heldFolder !== folder) {
        deny(input, raced(`${folder} was replaced while it was being opened (now ${heldFolder})`));
      }
      fd = fs.openSync(`/proc/self/fd/${dirFd}/${path.basename(before.realPath)}`, openFlags, mode);
    } finally {
      fs.closeSync(dirFd);
    }
  } else {
    fd = fs.openSync(before.realPath, openFlags, mode);
  }

  try {
    const stat = fs.fstatSync(fd);
    const opened = descriptorPath(fd);
    let verdict: PathVerdict;
    if (opened !== undefined) {
      // "(deleted)": the name we opened was removed at once — the classic hardlink swap.
      verdict =
        opened !== before.realPath
          ? raced(`${before.realPath} was replaced while it was being opened (now ${opened})`)
          : guard.judge(opened);
    } else {
      // No /proc: the file we hold must be the very inode now at the checked path.
      const current = fs.statSync(before.realPath);
      verdict =
        current.dev === stat.dev && current.ino === stat.ino
          ? guard.judge(before.realPath)
          : raced(`${input} changed while it was being opened`);
    }
    if (verdict.kind === 'allowed') verdict = guard.judgeStat(stat, verdict.realPath) ?? verdict;
    if (verdict.kind !== 'allowed') deny(input, verdict);
    if (truncate) fs.ftruncateSync(fd, 0);
    return { fd, realPath: before.realPath };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
