// The per-program path table: which classifier says what each known program touches.
//
// What common programs do with their arguments, as tables: which options take a value, which
// words are paths, and which subcommands deploy or reach the network (networkTools.ts).
// treeWalk.ts walks the syntax tree and commandResolver.ts unwraps wrappers; these tables only
// answer "given this program and these argument words, what does it touch?". Adding a program
// is meant to be one table line.
import {
  CURRENT_DIRECTORY,
  isStandardStream,
  namesAFile,
  pathText,
  words,
  type Note,
  type PathOperation,
  type Word,
} from './argv.js';
import { aws, container, curl, git, remoteCopy, ssh, wget } from './networkPaths.js';
import { perlOneLiner } from './perlOneLiner.js';
import { RSYNC_OPTIONS } from './networkTools.js';
import {
  awk,
  changeMode,
  dd,
  guessPaths,
  inputOutput,
  sed,
  split,
  table,
  tar,
  transfer,
  type Classifier,
} from './pathClassifiers.js';

const READ = table({ kind: 'read' });
const GREP = table({
  kind: 'read',
  options: {
    short: 'efmABCdD',
    long: words(
      'regexp file max-count after-context before-context context include exclude ' +
        'exclude-dir exclude-from label binary-files devices directories group-separator',
    ),
  },
  skip: 1,
  skipUnless: ['-e', '-f', '--regexp', '--file'],
  reads: ['-f', '--file', '--exclude-from'],
});
const HEAD = table({ kind: 'read', options: { short: 'nc', long: ['lines', 'bytes'] } });
const TAIL = table({
  kind: 'read',
  options: { short: 'ncs', long: words('lines bytes pid sleep-interval max-unchanged-stats') },
});
/** Programs whose positionals are data, not files (`date +%F`, `column -s ,` reads stdin…). */
const NO_OPERANDS = { kind: 'read', skip: Infinity } as const;
const OWNER = table({
  kind: 'write',
  options: { long: ['reference', 'from'] },
  skip: 1,
  skipUnless: ['--reference'],
  reads: ['--reference'],
});
const SAME_OPTIONS = { short: 'tS', long: ['target-directory', 'suffix'] };

export const PATH_PROGRAMS: Readonly<Record<string, Classifier>> = {
  // delete
  rm: table({ kind: 'delete' }),
  rmdir: table({ kind: 'delete' }),
  unlink: table({ kind: 'delete' }),
  trash: table({ kind: 'delete' }),
  'trash-put': table({ kind: 'delete' }),
  shred: table({
    kind: 'delete',
    options: { short: 'ns', long: ['iterations', 'size', 'random-source'] },
  }),
  truncate: table({
    kind: 'delete',
    options: { short: 'sr', long: ['size', 'reference'] },
    reads: ['-r', '--reference'],
  }),
  // write
  touch: table({
    kind: 'write',
    options: { short: 'dtr', long: ['date', 'reference', 'time'] },
    reads: ['-r', '--reference'],
  }),
  mkdir: table({ kind: 'write', options: { short: 'm', long: ['mode', 'context'] } }),
  mkfifo: table({ kind: 'write', options: { short: 'm', long: ['mode'] } }),
  tee: table({ kind: 'write' }),
  sudoedit: table({ kind: 'write' }),
  chmod: changeMode,
  chown: OWNER,
  chgrp: OWNER,
  cp: transfer('read', SAME_OPTIONS),
  ln: transfer('read', SAME_OPTIONS, { single: CURRENT_DIRECTORY }),
  mv: transfer('delete', SAME_OPTIONS),
  install: transfer(
    'read',
    { short: 'tSmog', long: ['target-directory', 'suffix', 'mode', 'owner', 'group'] },
    { directories: ['-d', '--directory'] },
  ),
  dd,
  sed,
  gsed: sed,
  tar,
  uniq: inputOutput({ short: 'fsw', long: ['skip-fields', 'skip-chars', 'check-chars'] }),
  xxd: inputOutput({ short: 'cglnos', long: ['cols', 'groupsize', 'len', 'name', 'seek'] }),
  sort: table({
    kind: 'read',
    options: {
      short: 'kotTS',
      long: words(
        'key output field-separator buffer-size temporary-directory files0-from ' +
          'random-source parallel batch-size compress-program',
      ),
    },
    writes: ['-o', '--output'],
    reads: ['--files0-from', '--random-source'],
    unjudgeable: { '--compress-program': 'sort --compress-program runs another program' },
  }),
  split,
  // read
  grep: GREP,
  egrep: GREP,
  fgrep: GREP,
  rg: table({
    kind: 'read',
    options: {
      short: 'efgmABCtTMjEr',
      long: ['regexp', 'file', 'glob', 'iglob', 'type', 'type-not', 'max-count', 'replace'],
    },
    skip: 1,
    skipUnless: ['-e', '-f', '--regexp', '--file', '--files', '--type-list'],
    reads: ['-f', '--file', '--ignore-file'],
    unjudgeable: { '--pre': 'rg --pre runs a program on every file it searches' },
  }),
  ag: table({ kind: 'read', options: { short: 'ABCGgm' }, skip: 1 }),
  awk,
  gawk: awk,
  mawk: awk,
  nawk: awk,
  // Inline code that only filters text is judged like sed; a script file as any program.
  perl: (args, note) => perlOneLiner(args, note) ?? guessPaths(args),
  jq: table({
    kind: 'read',
    options: { short: 'fL', long: ['arg', 'argjson', 'slurpfile', 'rawfile', 'from-file'] },
    skip: 1,
    skipUnless: ['-f', '--from-file'],
    reads: ['-f', '--from-file'],
  }),
  head: HEAD,
  tail: TAIL,
  cut: table({
    kind: 'read',
    options: { short: 'bcdf', long: words('bytes characters delimiter fields output-delimiter') },
  }),
  paste: table({ kind: 'read', options: { short: 'd', long: ['delimiters'] } }),
  join: table({ kind: 'read', options: { short: 'aeotvj12' } }),
  column: table({
    kind: 'read',
    options: {
      short: 'cslNoRTEHOWripnC',
      long: words(
        'columns separator output-separator output-width table-columns table-name ' +
          'table-right table-truncate table-noextreme table-hide table-order table-wrap ' +
          'table-column tree tree-id tree-parent',
      ),
    },
  }),
  nl: table({
    kind: 'read',
    options: {
      short: 'bdfhilnsvw',
      long: words(
        'body-numbering footer-numbering header-numbering section-delimiter line-increment join-blank-lines number-format number-separator starting-line-number number-width',
      ),
    },
  }),
  fold: table({ kind: 'read', options: { short: 'w', long: ['width'] } }),
  fmt: table({ kind: 'read', options: { short: 'wgp', long: ['width', 'goal', 'prefix'] } }),
  expand: table({ kind: 'read', options: { short: 't', long: ['tabs'] } }),
  unexpand: table({ kind: 'read', options: { short: 't', long: ['tabs'] } }),
  od: table({
    kind: 'read',
    options: {
      short: 'AjNtS',
      shortOptional: 'w',
      long: words('address-radix skip-bytes read-bytes format endian'),
    },
  }),
  hexdump: table({
    kind: 'read',
    options: { short: 'efns', long: ['format', 'format-file', 'length', 'skip'] },
    reads: ['-f', '--format-file'],
  }),
  strings: table({
    kind: 'read',
    options: { short: 'nteTs', long: words('bytes radix encoding target output-separator') },
  }),
  stat: table({ kind: 'read', options: { short: 'c', long: ['format', 'printf'] } }),
  cmp: table({ kind: 'read', options: { short: 'in', long: ['ignore-initial', 'bytes'] } }),
  tree: table({
    kind: 'read',
    options: { short: 'LPIo', long: ['filelimit', 'timefmt', 'sort', 'charset'] },
    writes: ['-o'],
  }),
  du: table({
    kind: 'read',
    options: {
      short: 'BdtX',
      long: words(
        'block-size max-depth threshold exclude exclude-from time time-style files0-from',
      ),
    },
    reads: ['-X', '--exclude-from', '--files0-from'],
  }),
  ls: table({
    kind: 'read',
    options: {
      short: 'IwT',
      long: words(
        'ignore hide width tabsize format sort time time-style quoting-style indicator-style ' +
          'block-size',
      ),
    },
  }),
  realpath: table({ kind: 'read', options: { long: ['relative-to', 'relative-base'] } }),
  date: table({
    ...NO_OPERANDS,
    options: { short: 'dfrs', shortOptional: 'I', long: words('date file reference set rfc-3339') },
    reads: ['-f', '--file', '-r', '--reference'],
  }),
  ...Object.fromEntries(
    (
      'cat tac less more bat file wc md5sum sha1sum sha224sum sha256sum sha384sum sha512sum ' +
      'shasum b2sum cksum base32 comm readlink'
    )
      .split(' ')
      .map((name) => [name, READ]),
  ),
  // network programs that also name local files
  curl,
  wget,
  ssh,
  scp: remoteCopy('scp', { short: 'cFiJloPSXD' }),
  sftp: remoteCopy('sftp', { short: 'BbcDFiJlNoPRSs' }),
  rsync: remoteCopy('rsync', RSYNC_OPTIONS),
  git,
  aws,
  docker: container,
  podman: container,
};

/** Programs whose arguments are never files: their words are not paths, however they look. */
export const NO_PATHS = new Set(
  (
    'echo printf true false : kill sleep exit return read shift wait jobs which type pwd ' +
    'whoami id uname seq yes basename dirname expr let test [ local export unset set shopt tr ' +
    'numfmt factor nproc arch printenv tput clear'
  ).split(' '),
);

/** Programs whose written operands only receive content: /dev/null there is a stream. */
const CONTENT_WRITERS = new Set(words('tee dd curl wget sort tar split uniq xxd'));

export function pathOperations(
  program: string,
  args: readonly Word[],
  note: Note,
): PathOperation[] {
  const classify = PATH_PROGRAMS[program];
  const found = classify ? classify(args, note) : NO_PATHS.has(program) ? [] : guessPaths(args);
  const streamsOk = (kind: PathOperation['kind']) =>
    kind === 'read' || (kind === 'write' && CONTENT_WRITERS.has(program));
  // An empty argument names no file, whatever the program does with it; a path is judged as
  // bash opens it ("~/x" quoted is ./~/x, ~root/x is root's home).
  return found.map((operation) => ({
    ...operation,
    paths: operation.paths
      .filter((word) => namesAFile(word) && !(streamsOk(operation.kind) && isStandardStream(word)))
      .map((word) => (word.value.startsWith('~') ? { ...word, value: pathText(word) } : word)),
  }));
}
