// A fake home folder for the path-policy security suite: real secrets where an attacker wants
// them (~/.ssh/id_rsa, ~/.aws/credentials, ~/projects/secrets), an allowed workspace, and
// look-alike neighbours (~/projects-evil, <tmp>/work2) that a string-prefix check would confuse.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PathGuard, type PathGuardOptions } from '../../src-main/policy/pathGuard.js';
import { makeTempFolder } from './tempFolders.js';

export interface HostileHome {
  /** The temp folder everything lives in (already a real path). */
  tmp: string;
  home: string;
  projects: string;
  /** The second allowed root, configured as an absolute path. */
  work: string;
  /** An existing folder that is neither allowed nor blocked. */
  outside: string;
  omnipalmHome: string;
  /** The exact bytes of ~/.ssh/id_rsa: unique per fixture, so a read of it is unmistakable. */
  secretKey: string;
  options: PathGuardOptions;
  guard: PathGuard;
  /** The absolute path of a home-relative name: at('.ssh/id_rsa'). */
  at(relative: string): string;
}

/** "ѕ" below is CYRILLIC SMALL LETTER DZE (U+0455), not a Latin "s". */
export const CYRILLIC_SSH = '.s\u0455h';

export function makeHostileHome(platform?: NodeJS.Platform): HostileHome {
  const tmp = makeTempFolder('omnipalm-security-');
  const home = path.join(tmp, 'home');
  const at = (relative: string): string => path.join(home, relative);
  const secretKey = [
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    `FAKE-TEST-KEY-${crypto.randomBytes(24).toString('hex')}`,
    '-----END OPENSSH PRIVATE KEY-----',
    '',
  ].join('\n');

  const files: Record<string, string> = {
    '.ssh/id_rsa': secretKey,
    '.ssh/config': 'Host *\n  IdentityFile ~/.ssh/id_rsa\n',
    '.aws/credentials': '[default]\naws_access_key_id = AKIAFAKEFAKEFAKEFAKE\n',
    '.omnipalm/config.yaml': 'security:\n  read_only: false\n',
    [`${CYRILLIC_SSH}/id_rsa`]: 'not a key: a folder whose name only looks like .ssh\n',
    'projects/readme.md': '# a project\n',
    'projects/a/notes.txt': 'notes\n',
    'projects/sub/deeper/file.txt': 'deep\n',
    'projects/secrets/token.txt': 'project secret token\n',
    'projects/secrets-public/x': 'not secret: only the name starts like secrets\n',
    'projects-evil/x': 'evil neighbour\n',
    projectsX: 'evil neighbour file\n',
    'proj/x': 'short neighbour\n',
  };
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(at(relative)), { recursive: true });
    fs.writeFileSync(at(relative), content, { mode: 0o600 });
  }
  const work = path.join(tmp, 'work');
  const outside = path.join(tmp, 'outside');
  for (const folder of [work, path.join(tmp, 'work2'), outside]) fs.mkdirSync(folder);
  fs.writeFileSync(path.join(work, 'notes.txt'), 'work notes\n');
  fs.writeFileSync(path.join(tmp, 'work2', 'x'), 'work2 is not work\n');

  const omnipalmHome = at('.omnipalm');
  const options: PathGuardOptions = {
    allowed: ['~/projects', work],
    blocked: ['~/.ssh', '~/.aws', '~/projects/secrets'],
    homeDir: home,
    omnipalmHome,
    ...(platform ? { platform } : {}),
  };
  return {
    tmp,
    home,
    projects: at('projects'),
    work,
    outside,
    omnipalmHome,
    secretKey,
    options,
    guard: new PathGuard(options),
    at,
  };
}

/** True when `child` is `parent` or below it (both absolute, already normalised). */
export function isBelow(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent + path.sep);
}
