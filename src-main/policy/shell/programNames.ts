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

/**
 * Programs that never open a network connection themselves: they read and write files and
 * pipes. Used once a task read untrusted content, when anything that can carry data out must
 * ask: a program outside this list (an interpreter running a script, a binary we do not know)
 * could send what it reads anywhere the network lets it.
 */
const LOCAL_PROGRAMS = new Set(
  words(
    'cat tac nl wc od hexdump strings file stat du df tree find locate realpath readlink ' +
      'sed awk gawk mawk tr rev column comm join paste fold fmt expand unexpand split csplit ' +
      'md5sum sha1sum sha224sum sha256sum sha384sum sha512sum b2sum cksum sum less more ' +
      'gzip gunzip zcat bzip2 bunzip2 bzcat xz unxz xzcat zstd unzstd zip unzip 7z tar cpio ' +
      'patch cmp diff3 sdiff wdiff iconv dos2unix unix2dos envsubst numfmt factor bc dc ' +
      'ps pgrep top htop free uptime nproc lscpu lsblk mount findmnt hostname tty stty clear ' +
      'tput reset sync groups users who w last logname printenv getconf locale ulimit umask ' +
      'history fc hash help logout times declare typeset readonly getopts caller compgen ' +
      'complete mapfile readarray dirs disown suspend bg fg ' +
      'mktemp tempfile mkdir mv cp rm ln touch chmod chown install',
  ),
);
const WRAPPER_PROGRAMS = new Set(Object.keys(WRAPPERS).map((key) => key.split(' ')[0] ?? key));

export function staysLocal(program: string): boolean {
  // Programs with a subcommand table (git, npm, docker, kubectl…) are judged by that table.
  if (program in TOOLS) return true;
  // perl has a path classifier for its one-liners, but a Perl script can reach the network.
  if (program === 'perl') return false;
  return (
    LOCAL_PROGRAMS.has(program) ||
    program in PATH_PROGRAMS ||
    NO_PATHS.has(program) ||
    SHELLS.has(program) ||
    SPECIAL.includes(program) ||
    WRAPPER_PROGRAMS.has(program)
  );
}
