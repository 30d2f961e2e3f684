// What runs other code: wrappers (sudo, env, xargs…), shells, inline-code interpreters, variables.
import { parseArgs, words, type OptionSpec, type Word } from './argv.js';

// Wrappers: programs that run another program given after their own options

export interface WrapperSpec {
  options?: OptionSpec;
  /** NAME=value words (and a lone '-') may come before the command (env, sudo). */
  assignments?: boolean;
  /** Positional words before the command that are not part of it (timeout's duration). */
  skip?: number;
  /** Options after which no command runs (command -v, ionice -p). */
  noCommand?: readonly string[];
  /** Options whose value is a file the wrapper itself reads or writes. */
  reads?: readonly string[];
  writes?: readonly string[];
  /** Options that make the result impossible to judge statically → the reason shown. */
  unjudgeable?: Readonly<Record<string, string>>;
  /** Options whose value is a shell command line (su -c). */
  script?: readonly string[];
  /** Without a command, these options start a shell reading standard input (sudo -s). */
  stdinShell?: readonly string[];
  /** Its positionals are never a command: without a script it is a shell on stdin (su). */
  shellUnlessScript?: boolean;
  /** Always worth a confirmation, whatever the command (chroot). */
  note?: string;
  /** The words after the options are joined into a shell command line (watch), unless … */
  joinsScript?: { unless: readonly string[] };
  /** The paths the command works on arrive on standard input (xargs). */
  stdinPaths?: boolean;
  /** An option that turns the wrapper into another program (sudo -e → sudoedit). */
  becomes?: Readonly<Record<string, string>>;
}

const CHDIR = 'changes the directory relative paths are resolved in';
const RUNNER: WrapperSpec = {};

export const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  sudo: {
    options: {
      short: 'ughpCDrtUTR',
      long: ['user', 'group', 'host', 'prompt', 'close-from', 'chdir', 'role', 'type'],
    },
    assignments: true,
    noCommand: ['-l', '--list', '-v', '--validate', '-K', '--remove-timestamp'],
    unjudgeable: { '-D': `sudo -D ${CHDIR}`, '--chdir': `sudo --chdir ${CHDIR}` },
    stdinShell: ['-s', '-i', '--shell', '--login'],
    becomes: { '-e': 'sudoedit', '--edit': 'sudoedit' },
  },
  doas: { options: { short: 'uC' }, stdinShell: ['-s'] },
  pkexec: { options: { long: ['user'] } },
  su: {
    options: { short: 'cgGsw', long: ['command', 'session-command', 'group', 'shell'] },
    script: ['-c', '--command', '--session-command'],
    shellUnlessScript: true,
  },
  runuser: {
    options: { short: 'ugGcsw', long: ['user', 'group', 'command', 'shell'] },
    script: ['-c', '--command'],
  },
  // util-linux `script -c cmd logfile` runs cmd; without -c it starts an interactive shell.
  script: {
    options: { short: 'cEIOBTm', long: ['command', 'log-in', 'log-out', 'log-io', 'timing'] },
    script: ['-c', '--command'],
    shellUnlessScript: true,
  },
  flock: { options: { short: 'wEc', long: ['timeout', 'command'] }, skip: 1, script: ['-c'] },
  chroot: {
    options: { long: ['userspec', 'groups'] },
    skip: 1,
    note: 'chroot runs the command under another root directory, where its paths mean something else',
  },
  'systemd-run': {
    options: { short: 'pEM', long: words('unit property setenv uid gid working-directory slice') },
    unjudgeable: { '--working-directory': `systemd-run --working-directory ${CHDIR}` },
  },
  parallel: {
    options: { short: 'jSnNLdIEaP', long: words('jobs sshlogin arg-file delimiter max-args') },
    reads: ['-a', '--arg-file'],
    stdinPaths: true,
  },
  env: {
    options: { short: 'uCS', long: ['unset', 'chdir', 'split-string'] },
    assignments: true,
    unjudgeable: {
      '-C': `env -C ${CHDIR}`,
      '--chdir': `env --chdir ${CHDIR}`,
      '-S': 'env -S splits a string into a command line',
      '--split-string': 'env --split-string splits a string into a command line',
    },
  },
  nohup: {},
  nice: { options: { short: 'n', long: ['adjustment'] } },
  ionice: {
    options: { short: 'cnpPu', long: ['class', 'classdata', 'pid', 'pgid', 'uid'] },
    noCommand: ['-p', '--pid', '-P', '--pgid', '-u', '--uid'],
  },
  time: { options: { short: 'fo', long: ['format', 'output'] }, writes: ['-o', '--output'] },
  timeout: { options: { short: 'sk', long: ['signal', 'kill-after'] }, skip: 1 },
  stdbuf: { options: { short: 'ioe', long: ['input', 'output', 'error'] } },
  command: { noCommand: ['-v', '-V'] },
  exec: { options: { short: 'a' } },
  builtin: {},
  coproc: {},
  setsid: {},
  unbuffer: {},
  busybox: { noCommand: ['--list', '--install'] },
  caffeinate: { options: { short: 'wt' } },
  chrt: { skip: 1, noCommand: ['-p', '--pid', '-m', '--max'] },
  taskset: { skip: 1, noCommand: ['-p', '--pid'] },
  strace: { options: { short: 'abeEIoOpPsSuX', long: ['output'] }, writes: ['-o', '--output'] },
  ltrace: { options: { short: 'aAeFnopsuxX', long: ['output'] }, writes: ['-o', '--output'] },
  valgrind: {},
  sshpass: { options: { short: 'pfdP' }, reads: ['-f'] },
  proxychains: { options: { short: 'f' }, reads: ['-f'] },
  proxychains4: { options: { short: 'f' }, reads: ['-f'] },
  torsocks: { options: { short: 'uapP' } },
  watch: {
    options: { short: 'n', shortOptional: 'd', long: ['interval'] },
    joinsScript: { unless: ['-x', '--exec'] },
  },
  xargs: {
    options: {
      short: 'adEILnPs',
      shortOptional: 'eil',
      long: words(
        'arg-file delimiter replace max-lines max-args max-procs max-chars process-slot-var',
      ),
    },
    reads: ['-a', '--arg-file'],
    stdinPaths: true,
  },
  npx: {
    options: { short: 'pc', long: ['package', 'call'] },
    script: ['-c', '--call'],
  },
  'npm exec': { options: { short: 'pc', long: ['package', 'call'] }, script: ['-c', '--call'] },
  bunx: RUNNER,
  pnpx: RUNNER,
  uvx: { options: { long: ['from', 'with', 'python'] } },
  'pnpm exec': RUNNER,
  'pnpm dlx': RUNNER,
  'yarn dlx': RUNNER,
  'yarn exec': RUNNER,
  'bun x': RUNNER,
  'poetry run': RUNNER,
  'pipenv run': RUNNER,
  'pdm run': RUNNER,
  'hatch run': RUNNER,
  'rye run': RUNNER,
  'bundle exec': RUNNER,
  'uv run': {
    options: {
      short: 'pw',
      long: ['with', 'python', 'project', 'directory', 'env-file', 'package', 'extra', 'group'],
    },
    unjudgeable: { '--directory': `uv run --directory ${CHDIR}` },
  },
  'conda run': { options: { short: 'np', long: ['name', 'prefix', 'cwd'] } },
  'mamba run': { options: { short: 'np', long: ['name', 'prefix', 'cwd'] } },
};

export const SHELLS: ReadonlySet<string> = new Set(words('sh bash zsh dash ksh mksh ash fish'));
export const SHELL_OPTIONS: OptionSpec = { short: 'oO', long: ['rcfile', 'init-file'] };

/** Interpreters and the options that hand them code on the command line. */
const INLINE_CODE: Readonly<Record<string, readonly string[]>> = {
  python: ['-c'],
  node: ['-e', '--eval', '-p', '--print'],
  bun: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
  lua: ['-e'],
  osascript: ['-e'],
  rscript: ['-e'],
};

export function interpreterOf(program: string): string {
  return /^(python|pypy)[\d.]*$/.test(program) ? 'python' : program.toLowerCase();
}

/** `python3 -c '…'`, `node -e '…'`: code we cannot see into, so the enforcer should ask. */
export function inlineCodeOption(program: string, args: readonly Word[]): string | undefined {
  const flags = INLINE_CODE[interpreterOf(program)];
  if (!flags) return undefined;
  const parsed = parseArgs(args);
  const found = parsed.options.find((option) => flags.includes(option.name));
  if (found) return found.name;
  return parsed.positionals.find((word) => flags.includes(word.value))?.value;
}

/**
 * Variables that change which program a name runs, or what a program loads or executes. Not
 * IFS: it only splits the results of expansions, which are unknown parts already.
 */
export const SENSITIVE_VARIABLE =
  /^(PATH|HOME|CDPATH|ENV|BASH_ENV|PROMPT_COMMAND|SHELLOPTS|BASHOPTS|PS4|LD_\w+|DYLD_\w+|GIT_SSH|GIT_SSH_COMMAND|GIT_EXEC_PATH|GIT_CONFIG\w*|GIT_PAGER|PAGER|EDITOR|VISUAL|NODE_OPTIONS|PYTHONPATH|PYTHONSTARTUP|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB)$/;
