// Program names: which ones the analyzer knows, and how a written name maps to one of them.
import { words } from './argv.js';
import { TOOLS } from './networkTools.js';
import { NO_PATHS, PATH_PROGRAMS } from './pathPrograms.js';
import { SHELLS, WRAPPERS } from './wrappers.js';

/** Handled by commandResolver.ts itself because they run or change other commands. */
const SPECIAL = words('eval source . find cd pushd popd alias trap enable at batch crontab');

const KNOWN = new Set([
  ...Object.keys(PATH_PROGRAMS),
  ...Object.keys(TOOLS),
  ...Object.keys(WRAPPERS).map((key) => key.split(' ')[0] ?? key),
  ...SHELLS,
  ...NO_PATHS,
  ...SPECIAL,
]);

/**
 * `/bin/rm` → `rm`. Known names are matched case-insensitively: on a case-insensitive file
 * system (macOS by default) `RM -rf x` finds /bin/rm, so it must not slip past as "unknown".
 */
export function canonicalProgram(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const lower = base.toLowerCase();
  return KNOWN.has(lower) ? lower : base;
}

/** Standard install locations: running /usr/bin/rm by path is just rm. */
export function isSystemProgramPath(name: string): boolean {
  return /^\/(usr\/(local\/)?|opt\/homebrew\/)?s?bin\/[^/]+$/.test(name);
}
