// Paths: which arguments a program reads, writes or deletes; classifiers for local-file programs.
import {
  CURRENT_DIRECTORY,
  hasOption,
  homeTilde,
  looksLikePath,
  optionValues,
  parseArgs,
  sliceWord,
  type Note,
  type OptionSpec,
  type PathKind,
  type PathOperation,
  type Word,
  words,
} from './argv.js';
import { awkEffects, sedEffects, type ScriptEffects } from './textScripts.js';

export type Classifier = (args: readonly Word[], note: Note) => PathOperation[];

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

export function table(spec: PathSpec): Classifier {
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

/** A printf or strftime directive (`%s`, `%-5d`, `%F`, `%%`): where a format word turns to data. */
const FORMAT_DIRECTIVE = /%[-#0 +'^_]*\d*(\.\d+)?[a-zA-Z%{]/;

/**
 * What of an option's value names a file. A format (`--format=%s`, `-printf '%p\n'`) names
 * none; one with a folder before its first directive (`--out=logs/%F.log`) names that folder.
 * Text with a line break, or too long to be a file name, is data.
 */
function fileOf(word: Word): Word | undefined {
  if (/[\r\n]/.test(word.value) || !couldBeAFile(word.value)) return undefined;
  const at = word.value.search(FORMAT_DIRECTIVE);
  if (at === -1) return word;
  const slash = word.value.lastIndexOf('/', at);
  return slash === -1 ? undefined : sliceWord(word, 0, slash + 1);
}

/** Longer than PATH_MAX, or a name longer than NAME_MAX (a base64 blob): no file is called that. */
function couldBeAFile(value: string): boolean {
  return value.length <= 4096 && value.split('/').every((name) => name.length <= 255);
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
    const file = fileOf(candidate);
    if (!file || !looksLikePath(file.value)) continue;
    paths.push(file);
    // A program nobody described may expand a quoted `~` itself: judge the home form too.
    if (file.literalTilde) paths.push(homeTilde(file));
  }
  return [{ kind: 'read', paths }];
}

/** split [FILE [PREFIX]]: reads FILE (`-` or none: standard input), writes PREFIXaa… (`xaa`). */
export function split(args: readonly Word[], note: Note): PathOperation[] {
  const parsed = parseArgs(args, {
    short: 'abClnt',
    long: words('suffix-length additional-suffix bytes line-bytes lines number separator filter'),
  });
  if (hasOption(parsed, ['--filter'])) note('split --filter runs a command on every piece');
  const [input, prefix] = parsed.positionals;
  return [
    { kind: 'read', paths: input && input.value !== '-' ? [input] : [] },
    { kind: 'write', paths: [prefix ?? CURRENT_DIRECTORY] },
  ];
}

/** cp/mv/install/ln: the last positional (or -t DIR) is written, the others are sources. */
export function transfer(
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
export function inputOutput(options: OptionSpec): Classifier {
  return (args) => {
    const positionals = parseArgs(args, options).positionals;
    return [
      { kind: 'read', paths: positionals.slice(0, 1) },
      { kind: 'write', paths: positionals.slice(1, 2) },
    ];
  };
}

export function changeMode(args: readonly Word[]): PathOperation[] {
  // `chmod -x file`: the mode is written like an option and there is no mode positional.
  const modeAsOption = args.some((word) => /^-[rwxXst]+$/.test(word.value));
  const parsed = parseArgs(args, { long: ['reference'] });
  const skip = modeAsOption || hasOption(parsed, ['--reference']) ? 0 : 1;
  return [
    { kind: 'write', paths: parsed.positionals.slice(skip) },
    { kind: 'read', paths: optionValues(parsed, ['--reference']) },
  ];
}

export function dd(args: readonly Word[]): PathOperation[] {
  const operand = (prefix: string) =>
    args.filter((word) => word.value.startsWith(prefix)).map((word) => sliceWord(word, 3));
  return [
    { kind: 'read', paths: operand('if=') },
    { kind: 'write', paths: operand('of=') },
  ];
}

export function sed(args: readonly Word[], note: Note): PathOperation[] {
  const words = [...args];
  // BSD/macOS `sed -i '' …` / `sed -i .bak …`: the next word is the backup suffix, not the
  // script (GNU sed would take it as a script and refuse it).
  const inPlaceAt = words.findIndex((word) => word.value === '-i');
  if (inPlaceAt !== -1 && /^(\.[\w.~-]*)?$/.test(words[inPlaceAt + 1]?.value ?? '-')) {
    words.splice(inPlaceAt + 1, 1);
  }
  const parsed = parseArgs(words, {
    short: 'efl',
    shortOptional: 'i',
    long: ['expression', 'file', 'line-length'],
  });
  const inPlace = hasOption(parsed, ['-i', '--in-place']);
  const scripted = hasOption(parsed, ['-e', '--expression', '-f', '--file']);
  const scripts = scripted
    ? optionValues(parsed, ['-e', '--expression'])
    : parsed.positionals.slice(0, 1);
  if (hasOption(parsed, ['-f', '--file'])) {
    note('sed -f runs a script from a file, which can run commands or write files (e, w)');
  }
  // GNU sed --sandbox refuses e, r and w itself.
  const effects = hasOption(parsed, ['--sandbox'])
    ? []
    : scripts.map((script) => scriptEffects('sed', script, sedEffects, note));
  return [
    { kind: inPlace ? 'write' : 'read', paths: parsed.positionals.slice(scripted ? 0 : 1) },
    { kind: 'read', paths: optionValues(parsed, ['-f', '--file']) },
    ...effects.flatMap(scriptOperations),
  ];
}

/** gawk options that bring in code from elsewhere: a file, a library, an extension. */
const AWK_CODE_FROM = ['-f', '--file', '-i', '--include', '-l', '--load', '-E', '--exec'];

export function awk(args: readonly Word[], note: Note): PathOperation[] {
  const spec: PathSpec = {
    kind: 'read',
    options: {
      short: 'fvFilE',
      long: ['file', 'assign', 'field-separator', 'include', 'load', 'exec'],
    },
    skip: 1,
    skipUnless: AWK_CODE_FROM,
    reads: ['-f', '--file', '-E', '--exec'],
  };
  const parsed = parseArgs(args, spec.options);
  const fromElsewhere = parsed.options.find((option) => AWK_CODE_FROM.includes(option.name));
  if (fromElsewhere) {
    note(`awk ${fromElsewhere.name} runs awk code from elsewhere, which can run commands`);
  }
  const program = fromElsewhere ? undefined : parsed.positionals[0];
  const effects =
    program && !hasOption(parsed, ['--sandbox'])
      ? [scriptEffects('awk', program, awkEffects, note)]
      : [];
  return [...table(spec)(args, note), ...effects.flatMap(scriptOperations)];
}

/**
 * What a sed script or awk program word does. A word with parts only known when it runs is
 * not read: a value like `/;e rm -rf ~;#` turns `sed "s/a/$x/"` into a command that runs one.
 */
function scriptEffects(
  program: string,
  script: Word,
  read: (text: string) => ScriptEffects,
  note: Note,
): ScriptEffects {
  if (!script.literal) {
    note(
      `the ${program} program has parts only known when it runs (${script.value}), which could make it run commands or write files`,
    );
    return { reads: [], writes: [] };
  }
  const effects = read(script.value);
  if (effects.runs) note(effects.runs);
  return effects;
}

function scriptOperations(effects: ScriptEffects): PathOperation[] {
  return [
    { kind: 'read', paths: effects.reads },
    { kind: 'write', paths: effects.writes },
  ];
}

const TAR_VALUE_LETTERS = 'fCTXbKNgVLHIF';
/** A compressor tar may run for -I/--use-compress-program: it only filters the archive. */
const COMPRESSOR =
  /^(gzip|pigz|bzip2|pbzip2|lbzip2|xz|pixz|zstd|pzstd|lz4|lzip|plzip|lzop|lzma|brotli|compress)(\s+-[\w-]+)*$/;

/** tar's long options that run a program; GNU tar also takes any unambiguous prefix. */
const TAR_PROGRAM_OPTIONS = [
  ...['--to-command', '--checkpoint-action', '--use-compress-program', '--info-script'],
  ...['--new-volume-script', '--rsh-command', '--rmt-command'],
];

/** Whether a tar option runs another program (`--checkpoint-action=dot` does not). */
function tarRunsProgram(option: { name: string; value?: Word | undefined }): boolean {
  const value = option.value;
  const name =
    option.name.length >= 5
      ? (TAR_PROGRAM_OPTIONS.find((long) => long.startsWith(option.name)) ?? option.name)
      : option.name;
  switch (name) {
    case '--to-command':
    case '--info-script':
    case '--new-volume-script':
    case '--rsh-command':
    case '--rmt-command':
    case '-F':
      return true;
    case '--checkpoint-action':
      return !value?.literal || /^exec/.test(value.value);
    case '-I':
    case '--use-compress-program':
      return option.name !== name || !value?.literal || !COMPRESSOR.test(value.value);
    default:
      return false;
  }
}

export function tar(args: readonly Word[], note: Note): PathOperation[] {
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
    long: [
      ...['file', 'directory', 'files-from', 'exclude-from', 'exclude', 'transform', 'owner'],
      ...TAR_PROGRAM_OPTIONS.map((long) => long.slice(2)),
    ],
  });
  for (const option of parsed.options) {
    if (tarRunsProgram(option)) note(`tar ${option.name} runs another program`);
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
