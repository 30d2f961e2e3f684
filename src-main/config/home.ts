// Where OmniPalm keeps its own files: $OMNIPALM_HOME, or ~/.omnipalm.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function omnipalmHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.OMNIPALM_HOME;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!path.isAbsolute(fromEnv)) {
      throw new Error(
        `OMNIPALM_HOME must be an absolute path, got ${JSON.stringify(fromEnv)} (set it to e.g. ${path.join(os.homedir(), '.omnipalm')})`,
      );
    }
    return path.normalize(fromEnv);
  }
  return path.join(os.homedir(), '.omnipalm');
}

export function configFilePath(home: string): string {
  return path.join(home, 'config.yaml');
}

/**
 * Expands a leading "~" to the user's home folder; other paths are returned as they are.
 * Nothing is normalised: "~/link/../x" must keep its ".." for the OS to apply after the
 * symlink, or a path guard would judge a different file than the one opened. "~name" is not
 * expanded here: a tool's path is not a shell word (see userHome for what bash does).
 */
export function expandHome(value: string, homeDir: string = os.homedir()): string {
  if (value === '~') return homeDir;
  if (value.startsWith('~/'))
    return `${homeDir}${homeDir.endsWith(path.sep) ? '' : path.sep}${value.slice(2)}`;
  return value;
}

/** A login name as bash would look it up after "~": no "/" (that ends it) and no NUL. */
const LOGIN_NAME = /^[^/\0:\n]+$/;

/**
 * The home folder of the user `name` (getpwnam semantics): the current user's from the OS,
 * others from /etc/passwd; on macOS, whose users live in Directory Services rather than
 * /etc/passwd, /Users/<name> when that folder exists. Undefined for an unknown user.
 */
export function userHome(
  name: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (!LOGIN_NAME.test(name) || name === '.' || name === '..') return undefined;
  const current = currentUser();
  if (current && current.username === name && current.homedir !== '') return current.homedir;
  const fromPasswd = passwdHomes().get(name);
  if (fromPasswd !== undefined) return fromPasswd;
  if (platform === 'darwin') {
    const guess = path.join('/Users', name);
    try {
      if (fs.statSync(guess).isDirectory()) return guess;
    } catch {
      // No such user folder: the word stays literal.
    }
  }
  return undefined;
}

function currentUser(): os.UserInfo<string> | undefined {
  try {
    return os.userInfo();
  } catch {
    return undefined; // a uid with no passwd entry (some containers)
  }
}

/** /etc/passwd parsed once per change of the file (checked by its mtime and size). */
let passwdCache: { stamp: string; homes: Map<string, string> } | undefined;

function passwdHomes(file = '/etc/passwd'): Map<string, string> {
  let stamp: string;
  try {
    const stat = fs.statSync(file);
    stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  } catch {
    return new Map();
  }
  if (passwdCache?.stamp === stamp) return passwdCache.homes;
  const homes = new Map<string, string>();
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line.startsWith('#')) continue;
      const fields = line.split(':');
      const [user, , , , , home] = fields;
      // The first entry wins, as getpwnam's does; a relative home is no home.
      if (user && home && path.isAbsolute(home) && !homes.has(user)) homes.set(user, home);
    }
  } catch {
    return new Map();
  }
  passwdCache = { stamp, homes };
  return homes;
}
