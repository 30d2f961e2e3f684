// Files OmniPalm owns are replaced atomically (temp file + rename) so that a crash or a full
// disk mid-write can never leave a half-written config — which would otherwise fail to load,
// or worse, load as something the user never wrote.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const folder = path.dirname(file);
  const temp = path.join(
    folder,
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  // 'wx' refuses to follow a symlink an attacker may have planted at the temp name.
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  try {
    const dirFd = fs.openSync(folder, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename itself is still atomic.
  }
}

/** Creates the folder with owner-only access, or tightens an existing one to it. */
export function ensurePrivateFolder(folder: string): void {
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') fs.chmodSync(folder, 0o700);
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `action` holding an exclusive lock file beside `file`, so that two `config set` at
 * once cannot lose one of the updates. A lock older than `staleMs` is from a crashed process.
 */
export function withFileLock<T>(
  file: string,
  action: () => T,
  timeoutMs = 5000,
  staleMs = 30_000,
): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx', 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > staleMs) fs.rmSync(lock, { force: true });
      } catch {
        // The holder released it between our open and stat: just try again.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${file} is locked by another omnipalm process; if none is running, delete ${lock}`,
          { cause: error },
        );
      }
      Atomics.wait(sleepCell, 0, 0, 10);
    }
  }
  try {
    return action();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
