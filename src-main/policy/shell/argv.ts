// Argument words and getopt-like option parsing, and telling paths, URLs and remote specs apart.
import { userHome } from '../../config/home.js';

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
  /**
   * The word starts with a `~` the shell leaves alone, because it (or a character of the
   * `~name` before the first `/`) was quoted or escaped: `"~/x"` names `./~/x`, not the home
   * folder. Judge such a word through pathText.
   */
  literalTilde?: boolean;
}

export type PathKind = 'read' | 'write' | 'delete';
export interface PathOperation {
  kind: PathKind;
  paths: Word[];
}
export type Note = (reason: string) => void;

/** Tables list names as one space-separated string, to stay readable. */
export function words(list: string): readonly string[] {
  return list.split(' ');
}

export const CURRENT_DIRECTORY: Word = { value: '.', literal: true, pattern: false };

/**
 * The path a word names, as bash would open it and the policy must judge it (`value` may be a
 * form of the word with harmless parts replaced):
 * - a quoted leading `~` is a folder named `~` here: `cat "~/x"` reads `./~/x`;
 * - `~` and `~/x` stay as they are, for the path guard to expand to the configured home;
 * - `~name/x` is that user's home (getpwnam), `~+/x` the working folder; a `~name` of no user
 *   stays literal, as bash leaves it: `./~name/x`;
 * - `~-` and `~N` (the previous folder, the directory stack) stay, and the guard refuses them.
 */
export function pathText(word: Word, value: string = word.value): string {
  if (!value.startsWith('~')) return value;
  if (word.literalTilde) return `./${value}`;
  const slash = value.indexOf('/');
  const name = value.slice(1, slash === -1 ? undefined : slash);
  const rest = slash === -1 ? '' : value.slice(slash);
  if (name === '') return value;
  if (name === '+') return `.${rest}`;
  if (/^[+-]?\d*$/.test(name)) return value;
  const home = userHome(name);
  if (home === undefined) return `./${value}`;
  return rest === '' ? home : `${home.replace(/\/+$/, '')}${rest}`;
}

/**
 * The word as a program that expands `~` itself would open it (ssh -i "~/.ssh/key", many
 * scripts): the home folder, quoted or not.
 */
export function homeTilde(word: Word): Word {
  const { literalTilde: _literal, ...expanded } = word;
  return expanded;
}

/** An empty argument names no file (`paste -d "" - -`), and a process substitution is a pipe. */
export function namesAFile(word: Word): boolean {
  return word.value !== '' && !word.pipe;
}

/**
 * /dev/null, /dev/stdout…: read from or written to, a stream, not a file anyone could harm or
 * read from (`curl -o /dev/null`, `tee /dev/stderr`), as for redirections. Not /dev/zero,
 * and only for reading and writing content: `mv x /dev/null` or `chmod` on it harms it.
 */
export function isStandardStream(word: Word): boolean {
  return word.literal && STANDARD_STREAM.test(word.value);
}

const STANDARD_STREAM = /^\/dev\/(null|stdin|stdout|stderr|tty|fd\/\d+)$/;

export function sliceWord(word: Word, start: number, end?: number): Word {
  const slice = {
    value: word.value.slice(start, end),
    literal: word.literal,
    pattern: word.pattern,
  };
  // The start of the word keeps its quoted tilde; a `~` after `=` or `-f` expands (the safe way).
  return start === 0 && word.literalTilde ? { ...slice, literalTilde: true } : slice;
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
export function isRemote(value: string): boolean {
  return URL.test(value) || /^[^/:]+:/.test(value);
}

const STREAMS = /^\/dev\/(null|stdin|stdout|stderr|tty|zero|fd\/\d+)$/;
/** Redirection targets that are not files anyone could harm or read from. */
export function isStream(value: string): boolean {
  return STREAMS.test(value);
}
