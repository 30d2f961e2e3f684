// The per-program path table: which classifier says what each known program touches.
//
// What common programs do with their arguments, as tables: which options take a value, which
// words are paths, and which subcommands deploy or reach the network (networkTools.ts).
// treeWalk.ts walks the syntax tree and commandResolver.ts unwraps wrappers; these tables only
// answer "given this program and these argument words, what does it touch?". Adding a program
// is meant to be one table line.
import { CURRENT_DIRECTORY, type Note, type PathOperation, type Word } from './argv.js';
import { aws, container, curl, git, remoteCopy, ssh, wget } from './networkPaths.js';
import { RSYNC_OPTIONS } from './networkTools.js';
import {
  awk,
  changeMode,
  dd,
  guessPaths,
  inputOutput,
  sed,
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
    long: ['regexp', 'file', 'max-count', 'after-context', 'before-context', 'context'],
  },
  skip: 1,
  skipUnless: ['-e', '-f', '--regexp', '--file'],
  reads: ['-f', '--file', '--exclude-from'],
});
const HEAD = table({ kind: 'read', options: { short: 'nc', long: ['lines', 'bytes'] } });
const TAIL = table({ kind: 'read', options: { short: 'ncs', long: ['lines', 'bytes', 'pid'] } });
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
  tar,
  uniq: inputOutput({ short: 'fsw', long: ['skip-fields', 'skip-chars', 'check-chars'] }),
  xxd: inputOutput({ short: 'cglnos', long: ['cols', 'groupsize', 'len', 'name', 'seek'] }),
  sort: table({
    kind: 'read',
    options: { short: 'kotTS', long: ['key', 'output', 'field-separator', 'buffer-size'] },
    writes: ['-o', '--output'],
    reads: ['--files0-from'],
    unjudgeable: { '--compress-program': 'sort --compress-program runs another program' },
  }),
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
  jq: table({
    kind: 'read',
    options: { short: 'fL', long: ['arg', 'argjson', 'slurpfile', 'rawfile', 'from-file'] },
    skip: 1,
    skipUnless: ['-f', '--from-file'],
    reads: ['-f', '--from-file'],
  }),
  head: HEAD,
  tail: TAIL,
  cut: table({ kind: 'read', options: { short: 'bcdf', long: ['delimiter', 'fields'] } }),
  diff: table({ kind: 'read', options: { short: 'xXUCFIL', long: ['exclude', 'label'] } }),
  base64: table({ kind: 'read', options: { short: 'w', long: ['wrap'] } }),
  ls: table({ kind: 'read', options: { short: 'IwT', long: ['ignore', 'hide', 'width'] } }),
  ...Object.fromEntries(
    (
      'cat tac nl less more bat od hexdump strings file stat wc md5sum sha1sum sha224sum ' +
      'sha256sum sha384sum sha512sum shasum b2sum cksum base32 cmp comm join paste fold fmt ' +
      'expand unexpand readlink realpath tree du'
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
    'echo printf true false : kill sleep exit return read shift wait jobs which type pwd date ' +
    'whoami id uname seq yes basename dirname expr let test [ local export unset set shopt'
  ).split(' '),
);

export function pathOperations(
  program: string,
  args: readonly Word[],
  note: Note,
): PathOperation[] {
  const classify = PATH_PROGRAMS[program];
  if (classify) return classify(args, note);
  if (NO_PATHS.has(program)) return [];
  return guessPaths(args);
}
