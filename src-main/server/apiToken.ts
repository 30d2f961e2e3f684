// The headless server's bearer token: 256 random bits in $OMNIPALM_HOME/api-token, readable by
// the owner only. Whoever can read this file can drive the agent with the user's rights, so
// a file others could read (or that someone else owns) is refused rather than used.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateFolder } from '../config/atomicWrite';

export const API_TOKEN_FILE_NAME = 'api-token';

/** 32 bytes in base64url: 43 characters of [A-Za-z0-9_-], safe in a header and a subprotocol. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function apiTokenPath(home: string): string {
  return path.join(home, API_TOKEN_FILE_NAME);
}

export function generateApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads the token, or creates it (atomically, 0600) on first start. */
export function loadOrCreateApiToken(home: string): string {
  ensurePrivateFolder(home);
  const file = apiTokenPath(home);
  const existing = readTokenFile(file);
  if (existing !== undefined) return existing;

  // Written under a temp name, then hard-linked into place: link() fails when the name
  // exists, so two servers starting at once agree on one token and no reader ever sees a
  // half-written file (which an O_EXCL create of the final name would briefly expose).
  const token = generateApiToken();
  const temp = path.join(
    home,
    `.${API_TOKEN_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, `${token}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const stored = readTokenFile(file);
  if (stored === undefined) throw new Error(`${file}: could not be created`);
  return stored;
}

function readTokenFile(file: string): string | undefined {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted at our name must not make us trust another file.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') {
      throw new Error(
        `${file} is a symbolic link; delete it and start again to create a new token`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a regular file; delete it and start again`);
    if (process.platform !== 'win32') {
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid) {
        throw new Error(
          `${file} belongs to user ${stat.uid}, not to you (${uid}): another user could know the token. Delete it and start again to create a new one`,
        );
      }
      if ((stat.mode & 0o077) !== 0) {
        throw new Error(
          `${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}), so the token may have leaked. Fix it with: chmod 600 ${file} (or delete it to get a new token)`,
        );
      }
    }
    const token = fs.readFileSync(fd, 'utf8').trim();
    if (!TOKEN_PATTERN.test(token)) {
      throw new Error(
        `${file} does not hold a valid token (43 base64url characters); delete it and start again to create a new one`,
      );
    }
    return token;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Constant-time comparison. Both sides are hashed first so that neither the content nor the
 * length of the token leaks through how long a wrong guess takes to refuse.
 */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
