// What common programs do with their arguments, as tables: which options take a value, which
// words are paths, and which subcommands deploy or reach the network. shellAnalysis.ts walks the
// syntax tree and unwraps wrappers; this file only answers "given this program and these
// argument words, what does it touch?". Adding a program is meant to be one table line.

/** One shell word after quote removal. Expansions stay as written (`$HOME/x`). */
export interface Word {
  value: string;
  /** False when part of the word is only known at run time ($VAR, $(…), $((…))). */
  literal: boolean;
  /** Unquoted glob or brace syntax: the shell may turn it into other, unseen names. */
  pattern: boolean;
  /** Contains a command substitution. */
  substitution?: boolean;
  /** A process substitution <(…) / >(…): a pipe, not a file anyone named. */
  pipe?: boolean;
}

export type PathKind = 'read' | 'write' | 'delete';
export interface PathOperation {
  kind: PathKind;
  paths: Word[];
}
export type Note = (reason: string) => void;

/** Tables list names as one space-separated string, to stay readable. */
function words(list: string): readonly string[] {
  return list.split(' ');
}

export const CURRENT_DIRECTORY: Word = { value: '.', literal: true, pattern: false };

export function sliceWord(word: Word, start: number, end?: number): Word {
  return { value: word.value.slice(start, end), literal: word.literal, pattern: word.pattern };
}

// ---------------------------------------------------------------------------------------------
// Options

export interface OptionSpec {
  /** Short options taking a value, attached (-n5) or as the next word (-n 5). */
  short?: string;
  /** Short options whose value, if any, is attached (sed -i.bak, xargs -i{}). */
  shortOptional?: string;
  /** Long options (without --) taking a value: --name=value or --name value. */
  long?: readonly string[];
}
export interface ParsedOption {
  name: string;
  value?: Word | undefined;
}
export interface ParsedArgs {
  options: ParsedOption[];
  positionals: Word[];
  /** With stopAtPositional: the words from the first positional on (a wrapper's command). */
  rest: Word[];
}

/** getopt-like parsing. A value can only start with '-' if it was written so. */
export function parseArgs(
  args: readonly Word[],
  spec: OptionSpec = {},
  stopAtPositional = false,
): ParsedArgs {
  const options: ParsedOption[] = [];
  const positionals: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const text = word.value;
    if (text === '--') {
      const after = args.slice(i + 1);
      if (stopAtPositional) return { options, positionals, rest: after };
      positionals.push(...after);
      break;
    }
    if (!text.startsWith('-') || text === '-' || word.pipe) {
      if (stopAtPositional) return { options, positionals, rest: args.slice(i) };
      positionals.push(word);
      continue;
    }
    if (text.startsWith('--')) {
      const equals = text.indexOf('=');
      const name = equals === -1 ? text : text.slice(0, equals);
      if (equals !== -1) options.push({ name, value: sliceWord(word, equals + 1) });
      else if (spec.long?.includes(name.slice(2))) options.push({ name, value: args[++i] });
      else options.push({ name });
      continue;
    }
    for (let j = 1; j < text.length; j++) {
      const letter = text[j]!;
      const attached = j + 1 < text.length ? sliceWord(word, j + 1) : undefined;
      if (spec.shortOptional?.includes(letter)) {
        options.push({ name: `-${letter}`, value: attached });
        break;
      }
      if (spec.short?.includes(letter)) {
        options.push({ name: `-${letter}`, value: attached ?? args[++i] });
        break;
      }
      options.push({ name: `-${letter}` });
    }
  }
  return { options, positionals, rest: [] };
}

export function hasOption(parsed: ParsedArgs, names: readonly string[] | undefined): boolean {
  return parsed.options.some((option) => names?.includes(option.name));
}

export function optionValues(parsed: ParsedArgs, names: readonly string[] | undefined): Word[] {
  return parsed.options.flatMap((option) =>
    option.value && names?.includes(option.name) ? [option.value] : [],
  );
}

// ---------------------------------------------------------------------------------------------
// Recognising paths, URLs and remote specs

const URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A word the guard should see even for programs we know nothing about. */
export function looksLikePath(value: string): boolean {
  if (URL.test(value)) return false;
  return value.includes('/') || value.startsWith('~') || value.startsWith('.');
}

/** host:path, user@host:path, host::module, scheme://… (scp, rsync). */
function isRemote(value: string): boolean {
  return URL.test(value) || /^[^/:]+:/.test(value);
}

const STREAMS = /^\/dev\/(null|stdin|stdout|stderr|tty|zero|fd\/\d+)$/;
/** Redirection targets that are not files anyone could harm or read from. */
export function isStream(value: string): boolean {
  return STREAMS.test(value);
}

// ---------------------------------------------------------------------------------------------
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

/** Variables that change which program a name runs, or what a program loads or executes. */
export const SENSITIVE_VARIABLE =
  /^(PATH|HOME|IFS|CDPATH|ENV|BASH_ENV|PROMPT_COMMAND|SHELLOPTS|BASHOPTS|PS4|LD_\w+|DYLD_\w+|GIT_SSH|GIT_SSH_COMMAND|GIT_EXEC_PATH|GIT_CONFIG\w*|GIT_PAGER|PAGER|EDITOR|VISUAL|NODE_OPTIONS|PYTHONPATH|PYTHONSTARTUP|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB)$/;

// ---------------------------------------------------------------------------------------------
// Deploy and network: subcommand tables

export interface ToolSpec {
  /** Global options taking a value, so the word after them is not the subcommand. */
  options?: OptionSpec;
  /** true: every use talks to the network; else the subcommands that do. */
  network?: true | readonly string[];
  /** true: every use deploys; else the subcommands that do. Deploying implies network. */
  deploy?: true | readonly string[];
  /** For what a subcommand list cannot say (`vercel` alone deploys, `aws s3 cp … s3://`). */
  decide?: (words: readonly string[], parsed: ParsedArgs) => 'deploy' | 'network' | undefined;
}

// Subcommand patterns: words separated by spaces, '*' matches any one word, '' means none.
function matches(words: readonly string[], patterns: true | readonly string[] | undefined) {
  if (patterns === true) return true;
  return (patterns ?? []).some((pattern) => {
    if (pattern === '') return words.length === 0;
    return pattern
      .split(' ')
      .every((part, i) => i < words.length && (part === '*' || part === words[i]));
  });
}

const GIT_OPTIONS: OptionSpec = {
  short: 'Cc',
  long: ['git-dir', 'work-tree', 'namespace', 'config-env', 'super-prefix'],
};
const KUBE_OPTIONS: OptionSpec = {
  short: 'ns',
  long: ['namespace', 'context', 'cluster', 'kubeconfig', 'server', 'user', 'token', 'as'],
};
const KUBE_DEPLOY = words(
  'apply delete create replace patch rollout scale set edit label annotate expose run drain cordon uncordon taint autoscale',
);
const DOCKER_OPTIONS: OptionSpec = {
  short: 'Hcfp',
  long: ['host', 'context', 'config', 'log-level', 'file', 'project-name', 'env-file', 'profile'],
};
const DOCKER: ToolSpec = {
  options: DOCKER_OPTIONS,
  deploy: ['push', 'image push', 'compose push', 'manifest push'],
  network: ['pull', 'image pull', 'compose pull', 'login', 'search'],
};
const TERRAFORM: ToolSpec = {
  deploy: ['apply', 'destroy', 'import', 'state rm', 'state mv', 'state push', 'taint', 'untaint'],
  network: ['init', 'plan', 'refresh', 'get'],
};
const VERCEL_LOCAL = new Set(
  'dev env login logout whoami ls list inspect logs link pull domains dns certs teams switch project projects help init build secrets git'.split(
    ' ',
  ),
);
const AWS_OPTIONS: OptionSpec = {
  long: words(
    'profile region endpoint-url output query exclude include acl storage-class content-type cache-control sse metadata page-size ca-bundle',
  ),
};

const RSYNC_OPTIONS: OptionSpec = {
  short: 'eBfTM',
  long: words(
    'rsh exclude include exclude-from include-from files-from filter log-file password-file temp-dir partial-dir backup-dir compare-dest copy-dest link-dest chmod chown max-size min-size timeout port bwlimit rsync-path suffix out-format',
  ),
};

export const TOOLS: Readonly<Record<string, ToolSpec>> = {
  git: {
    options: GIT_OPTIONS,
    deploy: ['push', 'svn dcommit'],
    network: [
      'clone',
      'fetch',
      'pull',
      'ls-remote',
      'remote update',
      'submodule update',
      'send-email',
    ],
  },
  kubectl: { options: KUBE_OPTIONS, network: true, deploy: KUBE_DEPLOY },
  oc: { options: KUBE_OPTIONS, network: true, deploy: KUBE_DEPLOY },
  terraform: TERRAFORM,
  tofu: TERRAFORM,
  helm: {
    options: { short: 'n', long: ['namespace', 'kube-context', 'kubeconfig'] },
    network: true,
    deploy: ['install', 'upgrade', 'uninstall', 'delete', 'rollback', 'push'],
  },
  pulumi: { network: true, deploy: ['up', 'update', 'destroy', 'import', 'refresh'] },
  cdk: { network: true, deploy: ['deploy', 'destroy'] },
  serverless: { network: true, deploy: ['deploy', 'remove'] },
  sls: { network: true, deploy: ['deploy', 'remove'] },
  'ansible-playbook': { deploy: true },
  ansible: { deploy: true },
  skaffold: { network: true, deploy: ['run', 'deploy', 'apply'] },
  docker: DOCKER,
  podman: DOCKER,
  npm: {
    deploy: ['publish', 'unpublish', 'deprecate', 'dist-tag add', 'dist-tag rm', 'owner add'],
    network: ['install', 'i', 'ci', 'add', 'update', 'up', 'upgrade', 'exec', 'x', 'audit'],
  },
  yarn: {
    deploy: ['publish', 'npm publish'],
    network: ['', 'install', 'add', 'upgrade', 'up', 'dlx', 'npm', 'global add', 'audit'],
  },
  pnpm: {
    deploy: ['publish'],
    network: ['install', 'i', 'add', 'update', 'up', 'upgrade', 'dlx', 'fetch', 'audit'],
  },
  bun: { deploy: ['publish'], network: ['install', 'i', 'add', 'update', 'x'] },
  npx: { network: true },
  pnpx: { network: true },
  bunx: { network: true },
  uvx: { network: true },
  cargo: {
    deploy: ['publish', 'yank', 'owner'],
    network: ['install', 'fetch', 'update', 'search'],
  },
  twine: { deploy: ['upload', 'register'] },
  gem: { deploy: ['push', 'yank', 'owner'], network: ['install', 'update', 'fetch', 'search'] },
  pip: { network: ['install', 'download', 'search', 'index'] },
  pip3: { network: ['install', 'download', 'search', 'index'] },
  uv: { deploy: ['publish'], network: ['pip install', 'add', 'sync', 'lock', 'tool install'] },
  poetry: { deploy: ['publish'], network: ['add', 'install', 'update', 'lock'] },
  pipx: { network: ['install', 'run', 'upgrade'] },
  conda: { network: ['install', 'create', 'update'] },
  go: { network: ['get', 'install', 'mod download', 'mod tidy'] },
  brew: { network: ['install', 'upgrade', 'update', 'reinstall', 'fetch', 'tap'] },
  apt: { network: ['install', 'update', 'upgrade', 'full-upgrade', 'download', 'source'] },
  'apt-get': { network: ['install', 'update', 'upgrade', 'dist-upgrade', 'download', 'source'] },
  dnf: { network: ['install', 'update', 'upgrade', 'download'] },
  yum: { network: ['install', 'update', 'upgrade', 'download'] },
  apk: { network: ['add', 'update', 'upgrade', 'fetch'] },
  snap: { network: ['install', 'refresh', 'download'] },
  gcloud: {
    options: { long: ['project', 'account', 'configuration', 'region', 'zone'] },
    network: true,
    deploy: ['* deploy', '* * deploy', '* * * deploy', 'builds submit'],
  },
  gsutil: {
    network: true,
    decide: (w) =>
      (['cp', 'rsync', 'mv'].includes(w[0] ?? '') && (w.at(-1) ?? '').startsWith('gs://')) ||
      ['rm', 'rb'].includes(w[0] ?? '')
        ? 'deploy'
        : undefined,
  },
  az: { network: true, deploy: ['* deploy', '* * deploy', 'webapp up', 'containerapp up'] },
  aws: {
    options: AWS_OPTIONS,
    network: true,
    deploy: ['deploy', '* deploy'],
    // Copying to a bucket publishes; removing from one deletes remote data.
    decide: (w) =>
      w[0] === 's3' &&
      ((['cp', 'sync', 'mv'].includes(w[1] ?? '') && (w[3] ?? '').startsWith('s3://')) ||
        ['rm', 'rb'].includes(w[1] ?? ''))
        ? 'deploy'
        : undefined,
  },
  firebase: { network: true, deploy: ['deploy', 'hosting:channel:deploy'] },
  // `vercel` and `vercel <dir>` deploy; only its named local subcommands do not.
  vercel: {
    network: true,
    decide: (w, parsed) =>
      hasOption(parsed, ['--prod']) || w.length === 0 || !VERCEL_LOCAL.has(w[0] ?? '')
        ? 'deploy'
        : undefined,
  },
  netlify: { network: true, deploy: ['deploy'] },
  fly: { network: true, deploy: ['deploy', 'launch', 'destroy', 'apps destroy'] },
  flyctl: { network: true, deploy: ['deploy', 'launch', 'destroy', 'apps destroy'] },
  heroku: {
    network: true,
    deploy: ['container:push', 'container:release', 'releases:rollback', 'apps:destroy'],
  },
  wrangler: { network: true, deploy: ['deploy', 'publish', 'pages deploy', 'delete'] },
  eb: { network: true, deploy: ['deploy', 'terminate'] },
  gh: {
    network: true,
    deploy: [
      'release create',
      'release upload',
      'repo create',
      'repo delete',
      'pr merge',
      'workflow run',
    ],
  },
  openssl: { network: ['s_client', 's_server'] },
  rsync: {
    options: RSYNC_OPTIONS,
    decide: (w) => (w.some(isRemote) ? 'network' : undefined),
  },
  ...Object.fromEntries(
    (
      'curl wget ssh scp sftp nc ncat netcat socat telnet ftp lftp http https xh httpie ping dig ' +
      'nslookup host whois traceroute mosh ssh-copy-id ngrok rclone doctl'
    )
      .split(' ')
      .map((name) => [name, { network: true }]),
  ),
};

/** The deploy/network kinds one invocation has. Deploy always comes with network. */
export function toolKinds(
  program: string,
  args: readonly Word[],
  note: Note,
): ('deploy' | 'network')[] {
  const spec = TOOLS[program];
  if (!spec) return [];
  const parsed = parseArgs(args, spec.options);
  // A subcommand only known at run time matches no entry, and might be one that deploys.
  const words = parsed.positionals.map((word) => (word.literal ? word.value : '\u0000'));
  const first = parsed.positionals[0];
  if (first && !first.literal && spec.deploy !== true && (spec.deploy || spec.decide)) {
    note(`the ${program} subcommand is only known when it runs: ${first.value}`);
  }
  const decided = spec.decide?.(words, parsed);
  if (decided === 'deploy' || matches(words, spec.deploy)) return ['deploy', 'network'];
  if (decided === 'network' || matches(words, spec.network)) return ['network'];
  return [];
}

// ---------------------------------------------------------------------------------------------
// Paths: which arguments a program reads, writes or deletes

type Classifier = (args: readonly Word[], note: Note) => PathOperation[];

interface PathSpec {
  kind: PathKind;
  options?: OptionSpec;
  /** Leading positionals that are not paths (grep's pattern, chown's owner) … */
  skip?: number;
  /** … unless one of these options supplies that word instead. */
  skipUnless?: readonly string[];
  reads?: readonly string[];
  writes?: readonly string[];
  unjudgeable?: Readonly<Record<string, string>>;
}

function table(spec: PathSpec): Classifier {
  return (args, note) => {
    const parsed = parseArgs(args, spec.options);
    for (const option of parsed.options) {
      const reason = spec.unjudgeable?.[option.name];
      if (reason) note(reason);
    }
    const skip = hasOption(parsed, spec.skipUnless) ? 0 : (spec.skip ?? 0);
    return [
      { kind: spec.kind, paths: parsed.positionals.slice(skip) },
      { kind: 'read', paths: optionValues(parsed, spec.reads) },
      { kind: 'write', paths: optionValues(parsed, spec.writes) },
    ];
  };
}

/** For a program nobody described: every argument that looks like a path is a read. */
export function guessPaths(args: readonly Word[]): PathOperation[] {
  const paths: Word[] = [];
  let optionsEnded = false;
  for (const word of args) {
    if (word.pipe) continue;
    let candidate = word;
    if (!optionsEnded && word.value === '--') {
      optionsEnded = true;
      continue;
    }
    // --file=~/.aws/credentials and KEY=/path: the value is what names a file.
    const assignment = /^(--?[\w-]+|[A-Za-z_][\w.-]*)=/.exec(word.value);
    if (assignment && !optionsEnded) candidate = sliceWord(word, assignment[0].length);
    else if (!optionsEnded && word.value.startsWith('-')) continue;
    if (looksLikePath(candidate.value)) paths.push(candidate);
  }
  return [{ kind: 'read', paths }];
}

/** cp/mv/install/ln: the last positional (or -t DIR) is written, the others are sources. */
function transfer(
  sources: 'read' | 'delete',
  options: OptionSpec,
  shape: { single?: Word; directories?: readonly string[] } = {},
): Classifier {
  return (args) => {
    const parsed = parseArgs(args, options);
    const positionals = parsed.positionals;
    // install -d: every positional is a directory to create.
    if (hasOption(parsed, shape.directories)) return [{ kind: 'write', paths: positionals }];
    const target = optionValues(parsed, ['-t', '--target-directory']);
    if (target.length > 0) {
      return [
        { kind: sources, paths: positionals },
        { kind: 'write', paths: target },
      ];
    }
    if (positionals.length < 2) {
      return [
        { kind: sources, paths: positionals },
        { kind: 'write', paths: shape.single && positionals.length === 1 ? [shape.single] : [] },
      ];
    }
    return [
      { kind: sources, paths: positionals.slice(0, -1) },
      { kind: 'write', paths: positionals.slice(-1) },
    ];
  };
}

/** `uniq in out`, `xxd in out`: first positional read, second written. */
function inputOutput(options: OptionSpec): Classifier {
  return (args) => {
    const positionals = parseArgs(args, options).positionals;
    return [
      { kind: 'read', paths: positionals.slice(0, 1) },
      { kind: 'write', paths: positionals.slice(1, 2) },
    ];
  };
}

function changeMode(args: readonly Word[]): PathOperation[] {
  // `chmod -x file`: the mode is written like an option and there is no mode positional.
  const modeAsOption = args.some((word) => /^-[rwxXst]+$/.test(word.value));
  const parsed = parseArgs(args, { long: ['reference'] });
  const skip = modeAsOption || hasOption(parsed, ['--reference']) ? 0 : 1;
  return [
    { kind: 'write', paths: parsed.positionals.slice(skip) },
    { kind: 'read', paths: optionValues(parsed, ['--reference']) },
  ];
}

function dd(args: readonly Word[]): PathOperation[] {
  const operand = (prefix: string) =>
    args.filter((word) => word.value.startsWith(prefix)).map((word) => sliceWord(word, 3));
  return [
    { kind: 'read', paths: operand('if=') },
    { kind: 'write', paths: operand('of=') },
  ];
}

function sed(args: readonly Word[]): PathOperation[] {
  const words = [...args];
  // BSD/macOS `sed -i '' …`: the empty word is the backup suffix, not the script.
  const inPlaceAt = words.findIndex((word) => word.value === '-i');
  if (inPlaceAt !== -1 && words[inPlaceAt + 1]?.value === '') words.splice(inPlaceAt + 1, 1);
  const parsed = parseArgs(words, {
    short: 'efl',
    shortOptional: 'i',
    long: ['expression', 'file', 'line-length'],
  });
  const inPlace = hasOption(parsed, ['-i', '--in-place']);
  const scripted = hasOption(parsed, ['-e', '--expression', '-f', '--file']);
  return [
    { kind: inPlace ? 'write' : 'read', paths: parsed.positionals.slice(scripted ? 0 : 1) },
    { kind: 'read', paths: optionValues(parsed, ['-f', '--file']) },
  ];
}

function awk(args: readonly Word[], note: Note): PathOperation[] {
  const spec: PathSpec = {
    kind: 'read',
    options: { short: 'fvF', long: ['file', 'assign', 'field-separator'] },
    skip: 1,
    skipUnless: ['-f', '--file'],
    reads: ['-f', '--file'],
  };
  const parsed = parseArgs(args, spec.options);
  const program = hasOption(parsed, spec.skipUnless) ? undefined : parsed.positionals[0];
  if (program && /system\s*\(|\|/.test(program.value)) {
    note('awk program runs commands (system() or a pipe)');
  }
  return table(spec)(args, note);
}

const TAR_VALUE_LETTERS = 'fCTXbKNgVLHI';
const TAR_RUNS_PROGRAM = ['--to-command', '--checkpoint-action', '--use-compress-program', '-I'];

function tar(args: readonly Word[], note: Note): PathOperation[] {
  let words = [...args];
  const first = words[0];
  // Old style `tar czf out.tgz dir`: a bundle without '-', value letters take the next words.
  if (first && first.literal && /^[A-Za-z]+$/.test(first.value)) {
    const expanded: Word[] = [];
    let next = 1;
    for (const letter of first.value) {
      expanded.push({ value: `-${letter}`, literal: true, pattern: false });
      if (TAR_VALUE_LETTERS.includes(letter) && words[next]) expanded.push(words[next++]!);
    }
    words = [...expanded, ...words.slice(next)];
  }
  const parsed = parseArgs(words, {
    short: TAR_VALUE_LETTERS,
    long: ['file', 'directory', 'files-from', 'exclude-from', 'exclude', 'transform', 'owner'],
  });
  for (const option of parsed.options) {
    if (TAR_RUNS_PROGRAM.includes(option.name)) note(`tar ${option.name} runs another program`);
  }
  const archive = optionValues(parsed, ['-f', '--file']).filter((word) => word.value !== '-');
  const directory = optionValues(parsed, ['-C', '--directory']);
  const lists = optionValues(parsed, ['-T', '--files-from', '-X', '--exclude-from']);
  const mode = (letters: string, long: string[]) =>
    parsed.options.some(
      (option) => long.includes(option.name) || letters.includes(option.name.slice(1)),
    );
  if (mode('cruA', ['--create', '--append', '--update', '--concatenate', '--delete'])) {
    return [
      { kind: 'write', paths: archive },
      { kind: 'read', paths: [...parsed.positionals, ...lists] },
    ];
  }
  if (mode('x', ['--extract', '--get'])) {
    return [
      { kind: 'read', paths: [...archive, ...lists] },
      { kind: 'write', paths: directory.length > 0 ? directory : [CURRENT_DIRECTORY] },
    ];
  }
  return [{ kind: 'read', paths: [...archive, ...lists] }];
}

const SSH_RUNS = /^\s*(proxycommand|localcommand|permitlocalcommand|knownhostscommand)\b/i;
function sshNotes(program: string, parsed: ParsedArgs, note: Note): void {
  for (const option of parsed.options) {
    if (option.name === '-o' && option.value && SSH_RUNS.test(option.value.value)) {
      note(`${program} -o ${option.value.value} runs a local command`);
    }
    if (option.name === '-S' && program !== 'ssh') note(`${program} -S runs another program`);
  }
}

function ssh(args: readonly Word[], note: Note): PathOperation[] {
  const parsed = parseArgs(args, { short: 'BbcDEeFIiJLlmOoPpQRSWw' }, true);
  sshNotes('ssh', parsed, note);
  // Words after the host run on the remote machine: they name no local file.
  return [
    { kind: 'read', paths: optionValues(parsed, ['-i', '-F']) },
    { kind: 'write', paths: optionValues(parsed, ['-E']) },
  ];
}

function remoteCopy(program: string, options: OptionSpec): Classifier {
  return (args, note) => {
    const parsed = parseArgs(args, options);
    sshNotes(program, parsed, note);
    const local = (word: Word) => !isRemote(word.value);
    const positionals = parsed.positionals;
    const destination = positionals.length > 1 ? positionals.slice(-1) : [];
    const sources = positionals.length > 1 ? positionals.slice(0, -1) : positionals;
    const reads = optionValues(parsed, ['-i', '-F', '-b']);
    if (program !== 'rsync') {
      return [
        { kind: 'read', paths: [...sources.filter(local), ...reads] },
        { kind: 'write', paths: destination.filter(local) },
      ];
    }
    for (const shell of optionValues(parsed, ['-e', '--rsh'])) {
      if (!/^(ssh|rsh)(\s|$)/.test(shell.value))
        note(`rsync -e ${shell.value} runs another program`);
    }
    const deletes = parsed.options.some((option) => option.name.startsWith('--delete'));
    const removesSources = hasOption(parsed, ['--remove-source-files']);
    const listFiles = ['--files-from', '--exclude-from', '--include-from', '--password-file'];
    const operations: PathOperation[] = [
      { kind: 'read', paths: [...sources.filter(local), ...optionValues(parsed, listFiles)] },
      {
        kind: 'write',
        paths: [...destination.filter(local), ...optionValues(parsed, ['--log-file'])],
      },
    ];
    // --delete removes what the source lacks at the destination, even on a remote host (then
    // with no local path to show, but still a delete).
    if (deletes) operations.push({ kind: 'delete', paths: destination.filter(local) });
    if (removesSources) operations.push({ kind: 'delete', paths: sources.filter(local) });
    return operations;
  };
}

const CURL_OPTIONS: OptionSpec = {
  short: 'AbcCdDeEFHKmoPQrtTuUwxXyYz',
  long: words(
    'output upload-file data data-binary data-raw data-ascii data-urlencode json form form-string config cookie cookie-jar dump-header header request user user-agent referer max-time connect-timeout proxy write-out cert key cacert output-dir range retry url trace trace-ascii stderr netrc-file resolve oauth2-bearer unix-socket',
  ),
};
const CURL_WRITES = ['-o', '--output', '-D', '--dump-header', '-c', '--cookie-jar', '--trace'];
const CURL_WRITES_MORE = ['--trace-ascii', '--stderr', '--output-dir'];
const CURL_READS = ['-T', '--upload-file', '-K', '--config', '--netrc-file', '-E', '--cert'];
const CURL_READS_MORE = ['--key', '--cacert', '--unix-socket'];
const CURL_DATA = ['-d', '--data', '--data-binary', '--data-ascii', '--json', '--data-urlencode'];

/** The file behind `-d @file`, `--data-urlencode name@file`, `-F name=@file;type=…`. */
function uploadedFile(option: string, value: Word): Word | undefined {
  const text = value.value;
  if (option === '-F' || option === '--form') {
    const at = text.search(/=[@<]/);
    if (at === -1) return undefined;
    const end = text.indexOf(';', at);
    return sliceWord(value, at + 2, end === -1 ? undefined : end);
  }
  const at = option === '--data-urlencode' ? text.indexOf('@') : text.startsWith('@') ? 0 : -1;
  return at === -1 ? undefined : sliceWord(value, at + 1);
}

function curl(args: readonly Word[]): PathOperation[] {
  const parsed = parseArgs(args, CURL_OPTIONS);
  const reads: Word[] = [];
  const writes: Word[] = [];
  for (const { name, value } of parsed.options) {
    if (!value) {
      if (['-O', '--remote-name', '--remote-name-all'].includes(name))
        writes.push(CURRENT_DIRECTORY);
    } else if (CURL_WRITES.includes(name) || CURL_WRITES_MORE.includes(name)) {
      writes.push(value);
    } else if (CURL_READS.includes(name) || CURL_READS_MORE.includes(name)) {
      reads.push(value);
    } else if (CURL_DATA.includes(name) || name === '-F' || name === '--form') {
      const file = uploadedFile(name, value);
      if (file) reads.push(file);
    } else if ((name === '-b' || name === '--cookie') && !value.value.includes('=')) {
      reads.push(value); // a cookie file, not literal cookies
    }
  }
  return [
    { kind: 'read', paths: reads.filter((word) => word.value !== '-') },
    { kind: 'write', paths: writes.filter((word) => word.value !== '-') },
  ];
}

function wget(args: readonly Word[]): PathOperation[] {
  const parsed = parseArgs(args, {
    short: 'OoaPieBtTwUQlDARIX',
    long: words(
      'output-document output-file append-output directory-prefix input-file post-file body-file load-cookies save-cookies config certificate private-key ca-certificate execute header user-agent user password tries timeout',
    ),
  });
  const value = (names: string[]) =>
    optionValues(parsed, names).filter((word) => word.value !== '-');
  const writes = value(['-O', '--output-document', '-o', '--output-file', '-a', '--append-output']);
  writes.push(...value(['--save-cookies', '-P', '--directory-prefix']));
  // Without -O or -P, wget saves into the current directory.
  if (!hasOption(parsed, ['-O', '--output-document', '-P', '--directory-prefix', '--spider'])) {
    writes.push(CURRENT_DIRECTORY);
  }
  const reads = value(['-i', '--input-file', '--post-file', '--body-file', '--load-cookies']);
  reads.push(...value(['--config', '--certificate', '--private-key', '--ca-certificate']));
  return [
    { kind: 'read', paths: reads },
    { kind: 'write', paths: writes },
  ];
}

// `git -c core.pager=…`, `git config alias.x '!…'`: settings that make git run a program.
const GIT_RUNS =
  /^(alias\..+|core\.(sshcommand|pager|editor|fsmonitor|hookspath|gitproxy|askpass)|credential\..*|diff\.external|sequence\.editor|.+\.(command|cmd|textconv|program|helper))$/i;

function git(args: readonly Word[], note: Note): PathOperation[] {
  const parsed = parseArgs(args, GIT_OPTIONS, true);
  for (const setting of optionValues(parsed, ['-c'])) {
    const key = setting.value.split('=')[0] ?? '';
    if (GIT_RUNS.test(key)) note(`git -c ${key} makes git run another program`);
  }
  const [subcommand, ...rest] = parsed.rest;
  const directory = optionValues(parsed, ['-C'])[0] ?? CURRENT_DIRECTORY;
  switch (subcommand?.value) {
    case 'clean': {
      const clean = parseArgs(rest, { short: 'e', long: ['exclude'] });
      if (hasOption(clean, ['-n', '--dry-run'])) return [];
      const paths = clean.positionals.length > 0 ? clean.positionals : [directory];
      return [{ kind: 'delete', paths }];
    }
    case 'rm': {
      const remove = parseArgs(rest);
      if (hasOption(remove, ['--cached'])) return []; // only the index changes
      return [{ kind: 'delete', paths: remove.positionals }];
    }
    case 'clone': {
      const clone = parseArgs(rest, {
        short: 'obuc',
        long: ['origin', 'branch', 'upload-pack', 'template', 'reference', 'depth', 'config'],
      });
      const [source, target] = clone.positionals;
      // Without a directory, git clones into ./<repository name>.
      const named = source?.value
        .replace(/\/+$/, '')
        .split(/[/:]/)
        .pop()
        ?.replace(/\.git$/, '');
      const into = target ?? (source && named ? { ...source, value: named } : undefined);
      return [{ kind: 'write', paths: into ? [into] : [] }];
    }
    case 'config':
      if (rest.some((word) => GIT_RUNS.test(word.value))) {
        note('git config sets a value that makes git run another program');
      }
      return guessPaths(rest);
    default:
      return guessPaths(rest);
  }
}

/** aws s3 cp/sync/mv: the local side of the copy. */
function aws(args: readonly Word[]): PathOperation[] {
  const [service, command, source, destination] = parseArgs(args, AWS_OPTIONS).positionals;
  if (service?.value !== 's3' || !['cp', 'sync', 'mv'].includes(command?.value ?? '')) {
    return guessPaths(args);
  }
  const local = (word: Word | undefined): Word[] =>
    word && !word.value.startsWith('s3://') ? [word] : [];
  return [
    { kind: command?.value === 'mv' ? 'delete' : 'read', paths: local(source) },
    { kind: 'write', paths: local(destination) },
  ];
}

const CONTAINER_RUN_OPTIONS: OptionSpec = {
  short: 'vepwuhlmca',
  long: words(
    'volume mount env env-file publish name workdir user hostname label network entrypoint ' +
      'memory cpus platform pull restart add-host device dns cap-add cap-drop security-opt ' +
      'tmpfs ulimit volumes-from gpus shm-size runtime pid ipc userns cidfile log-opt',
  ),
};

/**
 * docker/podman run: what runs inside the container is not the host's business, but the host
 * paths it mounts are — `-v /:/host` hands the container the whole file system.
 */
function container(args: readonly Word[], note: Note): PathOperation[] {
  const [subcommand, ...rest] = parseArgs(args, DOCKER_OPTIONS, true).rest;
  if (subcommand?.value !== 'run' && subcommand?.value !== 'create') return guessPaths(args);
  const parsed = parseArgs(rest, CONTAINER_RUN_OPTIONS);
  if (hasOption(parsed, ['--privileged'])) {
    note('docker run --privileged gives the container full access to the host');
  }
  const reads: Word[] = optionValues(parsed, ['--env-file']);
  const writes: Word[] = optionValues(parsed, ['--device']);
  for (const volume of optionValues(parsed, ['-v', '--volume'])) {
    const [host = '', , mode = ''] = volume.value.split(':');
    if (!looksLikePath(host)) continue; // a named volume, not a host path
    (mode.split(',').includes('ro') ? reads : writes).push(sliceWord(volume, 0, host.length));
  }
  for (const mount of optionValues(parsed, ['--mount'])) {
    const source = /(^|,)(source|src)=([^,]*)/.exec(mount.value);
    if (!source?.[3] || !looksLikePath(source[3])) continue;
    const start = source.index + (source[1]?.length ?? 0) + (source[2]?.length ?? 0) + 1;
    const path = sliceWord(mount, start, start + source[3].length);
    (/(^|,)(readonly|ro)(=true)?(,|$)/.test(mount.value) ? reads : writes).push(path);
  }
  return [
    { kind: 'read', paths: reads },
    { kind: 'write', paths: writes },
  ];
}

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

const PATH_PROGRAMS: Readonly<Record<string, Classifier>> = {
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
const NO_PATHS = new Set(
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

/** Handled by shellAnalysis.ts itself because they run or change other commands. */
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
