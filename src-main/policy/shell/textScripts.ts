// sed scripts and awk programs are small programs of their own: GNU sed's `e` command and `s///e`
// flag run shell commands, `w`/`r` write and read files the shell never sees; awk's system(),
// pipes and `print > file` do the same. Each is read here just far enough to find those — and
// where a script cannot be read with certainty, it is treated as running something unseen.
import type { Word } from './argv.js';

export interface ScriptEffects {
  /** Why the script runs commands or code this analysis cannot see; undefined if it does not. */
  runs?: string;
  /** Files the script itself reads or writes (a non-literal word: named by the data). */
  reads: Word[];
  writes: Word[];
}

/** A file name written in the script: taken as is — the shell does not expand it, not even `~`. */
function scriptFile(name: string): Word {
  return { value: name, literal: true, pattern: false, literalTilde: name.startsWith('~') };
}

/** A file name an awk expression computes when it runs. */
function computedFile(expression: string): Word {
  return { value: expression, literal: false, pattern: true };
}

// ---------------------------------------------------------------------------------------------
// sed (GNU, which is also the most permissive: BSD sed accepts a subset)

const SED_PLAIN = new Set([...'=dDgGhHnNpPxzF']);

class SedReader {
  private at = 0;
  readonly effects: ScriptEffects = { reads: [], writes: [] };

  constructor(private readonly text: string) {}

  /** Undefined when the whole script was read; otherwise why it could not be. */
  read(): string | undefined {
    const { text } = this;
    while (this.at < text.length) {
      this.skip(/[\s;]/);
      if (this.at >= text.length) break;
      if (text[this.at] === '#') {
        this.toLineEnd();
        continue;
      }
      if (text[this.at] === '}') {
        this.at += 1;
        continue;
      }
      const address = this.address();
      if (address) return address;
      this.skip(/\s/);
      if (text[this.at] === ',') {
        this.at += 1;
        this.skip(/\s/);
        if (/[+~]/.test(text[this.at] ?? '')) this.at += 1;
        const second = this.address();
        if (second) return second;
      }
      this.skip(/\s/);
      while (text[this.at] === '!') {
        this.at += 1;
        this.skip(/\s/);
      }
      const problem = this.command();
      if (problem) return problem;
    }
    return undefined;
  }

  private skip(pattern: RegExp): void {
    while (this.at < this.text.length && pattern.test(this.text[this.at]!)) this.at += 1;
  }

  /** The rest of the line (a file name, a label, a command): GNU reads these to the newline. */
  private toLineEnd(): string {
    const end = this.text.indexOf('\n', this.at);
    const stop = end === -1 ? this.text.length : end;
    const rest = this.text.slice(this.at, stop);
    this.at = stop;
    return rest;
  }

  private address(): string | undefined {
    const { text } = this;
    const char = text[this.at];
    if (char === undefined) return undefined;
    if (/\d/.test(char)) {
      this.skip(/\d/);
      if (text[this.at] === '~') {
        this.at += 1;
        this.skip(/\d/);
      }
      return undefined;
    }
    if (char === '$') {
      this.at += 1;
      return undefined;
    }
    if (char === '/' || char === '\\') {
      const delimiter = char === '\\' ? text[this.at + 1] : '/';
      if (delimiter === undefined || delimiter === '\n') return 'an address has no delimiter';
      this.at += char === '\\' ? 2 : 1;
      if (!this.delimited(delimiter, true)) return 'an address is not closed';
      this.skip(/[IM]/);
    }
    return undefined;
  }

  /**
   * Moves past text ending at an unescaped `delimiter`; in a regex, `[…]` is skipped whole (GNU
   * sed reads `s/[/]/x/` so). False if the text ends first.
   */
  private delimited(delimiter: string, regex: boolean): boolean {
    const { text } = this;
    while (this.at < text.length) {
      const char = text[this.at]!;
      if (char === '\\') {
        this.at += 2;
        continue;
      }
      if (char === delimiter) {
        this.at += 1;
        return true;
      }
      if (regex && char === '[') {
        const end = bracketEnd(text, this.at);
        if (end === undefined) return false;
        this.at = end;
        continue;
      }
      this.at += 1;
    }
    return false;
  }

  private command(): string | undefined {
    const { text, effects } = this;
    const name = text[this.at];
    if (name === undefined) return 'an address has no command';
    this.at += 1;
    if (name === '{' || SED_PLAIN.has(name)) return undefined;
    switch (name) {
      case 'q':
      case 'Q':
      case 'l':
      case 'L':
        this.skip(/[\s\d]/);
        return undefined;
      case ':':
      case 'b':
      case 't':
      case 'T':
      case 'v':
        this.skip(/[ \t]/);
        while (this.at < text.length && !/[;\n}]/.test(text[this.at]!)) this.at += 1;
        return undefined;
      case 'a':
      case 'i':
      case 'c':
        // Text to the end of the line; a backslash-newline continues it.
        while (this.at < text.length) {
          this.toLineEnd();
          if (!/\\$/.test(text.slice(0, this.at))) break;
          this.at += 1;
        }
        return undefined;
      case 'r':
      case 'R':
      case 'w':
      case 'W': {
        this.skip(/[ \t]/);
        const file = this.toLineEnd();
        if (file === '') return `${name} has no file name`;
        (name === 'r' || name === 'R' ? effects.reads : effects.writes).push(scriptFile(file));
        return undefined;
      }
      case 'e': {
        this.skip(/[ \t]/);
        const line = this.toLineEnd().trim();
        effects.runs ??= line
          ? `sed runs a shell command (e ${line})`
          : 'sed runs its input as shell commands (e)';
        return undefined;
      }
      case 's':
      case 'y':
        return this.substitute(name);
      default:
        return `unknown command ${JSON.stringify(name)}`;
    }
  }

  private substitute(name: 's' | 'y'): string | undefined {
    const { text, effects } = this;
    const delimiter = text[this.at];
    if (delimiter === undefined || delimiter === '\n' || delimiter === '\\') {
      return `${name} has no delimiter`;
    }
    this.at += 1;
    if (!this.delimited(delimiter, name === 's') || !this.delimited(delimiter, false)) {
      return `${name} is not closed`;
    }
    if (name === 'y') return undefined;
    while (this.at < text.length) {
      const flag = text[this.at]!;
      if (/[gpiImM\d]/.test(flag)) {
        this.at += 1;
      } else if (flag === 'e') {
        this.at += 1;
        effects.runs ??= 'sed runs the result of a substitution as a shell command (s///e)';
      } else if (flag === 'w') {
        this.at += 1;
        this.skip(/[ \t]/);
        const file = this.toLineEnd();
        if (file === '') return 's///w has no file name';
        effects.writes.push(scriptFile(file));
      } else {
        break;
      }
    }
    return undefined;
  }
}

/** The index just past a regex bracket expression starting at `start` (`[`), if it closes. */
function bracketEnd(text: string, start: number): number | undefined {
  let at = start + 1;
  if (text[at] === '^') at += 1;
  if (text[at] === ']') at += 1;
  while (at < text.length) {
    if (text[at] === '[' && /[:.=]/.test(text[at + 1] ?? '')) {
      const close = text.indexOf(`${text[at + 1]}]`, at + 2);
      if (close === -1) return undefined;
      at = close + 2;
      continue;
    }
    if (text[at] === ']') return at + 1;
    at += 1;
  }
  return undefined;
}

/** What a sed script runs, reads and writes beyond the files on its command line. */
export function sedEffects(script: string): ScriptEffects {
  const reader = new SedReader(script);
  const problem = reader.read();
  if (problem === undefined) return reader.effects;
  // sed refuses a script it cannot read, but one read differently here could hide an `e`.
  return { ...reader.effects, runs: `the sed script could not be read (${problem})` };
}

// ---------------------------------------------------------------------------------------------
// awk (POSIX, gawk, mawk)

/** After these words a `/` starts a regex, not a division. */
const AWK_REGEX_AFTER = new Set(['print', 'printf', 'return', 'in', 'case', 'getline']);

/** What an awk program runs, reads and writes beyond the files on its command line. */
export function awkEffects(program: string): ScriptEffects {
  const effects: ScriptEffects = { reads: [], writes: [] };
  const runs = (why: string) => (effects.runs ??= why);
  let at = 0;
  let depth = 0;
  /** Whether the last token ends an operand (then `/` divides). */
  let operand = false;
  /** The paren depth of the print/printf statement being read, if any. */
  let printDepth: number | undefined;
  let getline = false;
  let lastWord = '';

  /** The target after `>`, `>>` or `<`: a string constant, or an expression to the statement's end. */
  const target = (): Word => {
    while (/[ \t]/.test(program[at] ?? '')) at += 1;
    const constant = /^"((?:[^"\\\n]|\\.)*)"(?=\s*(?:[;}\n)]|$))/.exec(program.slice(at));
    if (constant && !constant[1]!.includes('\\')) {
      at += constant[0].length;
      return scriptFile(constant[1]!);
    }
    const start = at;
    let inner = 0;
    while (at < program.length) {
      const char = program[at]!;
      if (char === '"') {
        at = stringEnd(program, at) ?? program.length;
        continue;
      }
      if (char === '(') inner += 1;
      if (char === ')' && --inner < 0) break;
      if (inner === 0 && /[;}\n|]/.test(char)) break;
      at += 1;
    }
    return computedFile(program.slice(start, at).trim());
  };

  while (at < program.length) {
    const char = program[at]!;
    if (char === '\\' && program[at + 1] === '\n') {
      at += 2;
      continue;
    }
    if (/[ \t]/.test(char)) {
      at += 1;
      continue;
    }
    if (char === '\n' || char === ';' || char === '{' || char === '}') {
      if (char !== '{') printDepth = undefined;
      getline = false;
      // After `}` comes a new pattern: `/re/ { … }` there is a regex, never a division.
      operand = false;
      lastWord = '';
      at += 1;
      continue;
    }
    if (char === '#') {
      while (at < program.length && program[at] !== '\n') at += 1;
      continue;
    }
    if (char === '"') {
      const end = stringEnd(program, at);
      if (end === undefined)
        return { ...effects, runs: 'the awk program could not be read (a string is not closed)' };
      at = end;
      operand = true;
      continue;
    }
    if (char === '/' && (!operand || AWK_REGEX_AFTER.has(lastWord))) {
      const end = regexEnd(program, at);
      if (end === undefined)
        return { ...effects, runs: 'the awk program could not be read (a regex is not closed)' };
      at = end;
      operand = true;
      lastWord = '';
      continue;
    }
    if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_]\w*/.exec(program.slice(at))![0];
      at += word.length;
      if (word === 'system' && /^\s*\(/.test(program.slice(at))) {
        runs('awk program runs commands (system())');
      }
      if (word === 'print' || word === 'printf') printDepth = depth;
      if (word === 'getline') getline = true;
      operand = !AWK_REGEX_AFTER.has(word);
      lastWord = word;
      continue;
    }
    if (char === '@') {
      // gawk: @include/@load bring in code; @f() calls the function named in f, system too.
      runs('the awk program loads code or calls a function by name (@…)');
      at += 1;
      continue;
    }
    if (char === '|') {
      if (program[at + 1] === '|') {
        at += 2;
        operand = false;
        lastWord = '';
        continue;
      }
      runs('awk program runs commands (a pipe: | …)');
      at += 1;
      operand = false;
      lastWord = '';
      continue;
    }
    if (char === '>' && printDepth === depth && program[at + 1] !== '=') {
      at += program[at + 1] === '>' ? 2 : 1;
      effects.writes.push(target());
      operand = true;
      continue;
    }
    if (char === '<' && getline && program[at + 1] !== '=') {
      at += 1;
      effects.reads.push(target());
      getline = false;
      operand = true;
      continue;
    }
    if (char === '(') depth += 1;
    if (char === ')') depth = Math.max(0, depth - 1);
    // `$1`, `x++`, `a[i]`, a number: an operand ends here; anything else is an operator.
    operand =
      /[)\]\w.$]/.test(char) ||
      ((char === '+' || char === '-') && program[at + 1] === char && operand);
    if ((char === '+' || char === '-') && program[at + 1] === char) at += 1;
    lastWord = '';
    at += 1;
  }
  return effects;
}

function stringEnd(text: string, start: number): number | undefined {
  for (let at = start + 1; at < text.length; at += 1) {
    if (text[at] === '\\') at += 1;
    else if (text[at] === '"') return at + 1;
    else if (text[at] === '\n') return undefined;
  }
  return undefined;
}

function regexEnd(text: string, start: number): number | undefined {
  for (let at = start + 1; at < text.length; at += 1) {
    const char = text[at]!;
    if (char === '\\') at += 1;
    else if (char === '[') {
      const end = bracketEnd(text, at);
      if (end === undefined) return undefined;
      at = end - 1;
    } else if (char === '/') return at + 1;
    else if (char === '\n') return undefined;
  }
  return undefined;
}
