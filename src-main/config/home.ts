// Where OmniPalm keeps its own files: $OMNIPALM_HOME, or ~/.omnipalm.
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
 * symlink, or a path guard would judge a different file than the one opened.
 */
export function expandHome(value: string, homeDir: string = os.homedir()): string {
  if (value === '~') return homeDir;
  if (value.startsWith('~/'))
    return `${homeDir}${homeDir.endsWith(path.sep) ? '' : path.sep}${value.slice(2)}`;
  return value;
}
