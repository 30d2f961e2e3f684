// The set-up most core tests share: a private temp root holding an OMNIPALM_HOME with a
// config.yaml and a work folder that is the one allowed path (unless the config says more).
// The root is removed after the test (tempFolders.ts).
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { makeTempFolder } from './tempFolders.js';

export interface CoreHome {
  /** The temp root: the user's HOME in tests. */
  root: string;
  /** $OMNIPALM_HOME (0700), with config.yaml (0600). */
  home: string;
  /** The allowed work folder. */
  work: string;
}

/**
 * Writes `config` as config.yaml; `security.allowed_paths` defaults to [work] and the other
 * `security` keys given are merged over it. `homeName` names the OMNIPALM_HOME folder.
 */
export function makeCoreHome(
  prefix: string,
  config: Record<string, unknown> = {},
  homeName = 'home',
): CoreHome {
  const root = makeTempFolder(prefix);
  const home = path.join(root, homeName);
  const work = path.join(root, 'work');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.mkdirSync(work);
  const security = (config.security ?? {}) as Record<string, unknown>;
  fs.writeFileSync(
    path.join(home, 'config.yaml'),
    stringify({ ...config, security: { allowed_paths: [work], ...security } }),
    { mode: 0o600 },
  );
  return { root, home, work };
}
