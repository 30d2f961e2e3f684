// Paths named by network programs (ssh, scp, rsync, curl, wget, git, aws, docker run).
import {
  CURRENT_DIRECTORY,
  hasOption,
  homeTilde,
  isRemote,
  looksLikePath,
  optionValues,
  parseArgs,
  sliceWord,
  words,
  type Note,
  type OptionSpec,
  type ParsedArgs,
  type PathOperation,
  type Word,
} from './argv.js';
import { AWS_OPTIONS, DOCKER_OPTIONS, GIT_OPTIONS } from './networkTools.js';
import { guessPaths, type Classifier } from './pathClassifiers.js';

const SSH_RUNS = /^\s*(proxycommand|localcommand|permitlocalcommand|knownhostscommand)\b/i;
function sshNotes(program: string, parsed: ParsedArgs, note: Note): void {
  for (const option of parsed.options) {
    if (option.name === '-o' && option.value && SSH_RUNS.test(option.value.value)) {
      note(`${program} -o ${option.value.value} runs a local command`);
    }
    // scp/sftp -S names the ssh program; rsync's -S is --sparse.
    if (option.name === '-S' && (program === 'scp' || program === 'sftp')) {
      note(`${program} -S runs another program`);
    }
  }
}

export function ssh(args: readonly Word[], note: Note): PathOperation[] {
  const parsed = parseArgs(args, { short: 'BbcDEeFIiJLlmOoPpQRSWw' }, true);
  sshNotes('ssh', parsed, note);
  // Words after the host run on the remote machine: they name no local file.
  return [
    { kind: 'read', paths: optionValues(parsed, ['-i', '-F']).map(homeTilde) },
    { kind: 'write', paths: optionValues(parsed, ['-E']) },
  ];
}

export function remoteCopy(program: string, options: OptionSpec): Classifier {
  return (args, note) => {
    const parsed = parseArgs(args, options);
    sshNotes(program, parsed, note);
    const local = (word: Word) => !isRemote(word.value);
    const positionals = parsed.positionals;
    const destination = positionals.length > 1 ? positionals.slice(-1) : [];
    const sources = positionals.length > 1 ? positionals.slice(0, -1) : positionals;
    // OpenSSH expands `~` in -i and -F itself, quoted or not.
    const reads = optionValues(parsed, ['-i', '-F', '-b']).map(homeTilde);
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

export function curl(args: readonly Word[]): PathOperation[] {
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

export function wget(args: readonly Word[]): PathOperation[] {
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

export function git(args: readonly Word[], note: Note): PathOperation[] {
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
      return MESSAGE_SUBCOMMANDS.has(subcommand?.value ?? '')
        ? withMessage(rest)
        : guessPaths(rest);
  }
}

/** Subcommands whose -m takes a message: `git commit -m "~/.ssh/config: fix"` names no file. */
const MESSAGE_SUBCOMMANDS = new Set(words('commit tag merge stash notes'));

function withMessage(rest: readonly Word[]): PathOperation[] {
  const parsed = parseArgs(rest, { short: 'mFt', long: ['message', 'file', 'template'] });
  const files = optionValues(parsed, ['-F', '--file', '-t', '--template']);
  const values = new Set([...optionValues(parsed, ['-m', '--message']), ...files]);
  const kept = rest.filter((word) => !values.has(word) && !word.value.startsWith('--message='));
  return [{ kind: 'read', paths: [...guessPaths(kept).flatMap((found) => found.paths), ...files] }];
}

/** aws s3 cp/sync/mv: the local side of the copy. */
export function aws(args: readonly Word[]): PathOperation[] {
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
export function container(args: readonly Word[], note: Note): PathOperation[] {
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
