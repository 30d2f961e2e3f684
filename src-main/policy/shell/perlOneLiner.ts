// `perl -ne 'print if /x/'`, `perl -pi -e 's/a/b/g' *.c`: inline Perl that only filters text is
// as known as sed, and asks no more than sed does. Perl is too large to understand, so this reads
// a one-liner against a closed list instead: the operators, quote-likes and builtins a text
// filter uses. Anything outside it — a call to any other builtin or sub, a backtick, a
// dereference that could name something by a string (`&$x`, `@{"ARGV"}`, `->`), code inside a
// regex or string, a module — leaves the one-liner as opaque as before: it asks.
//
// One trap is Perl's own: `-n`/`-p` (and `<>`) open their file arguments the 2-argument way, so
// an argument `rm -rf ~ |` runs as a command. Without `-i` (which opens plainly), every file
// argument must be a literal name that cannot be read so.
import type { Note, PathOperation, Word } from './argv.js';

/** Builtins and keywords a text filter uses; none runs a program, opens a file or loads code. */
const SAFE_WORDS = new Set([
  ...['print', 'printf', 'say', 'sprintf', 'length', 'substr', 'index', 'rindex', 'uc', 'lc'],
  ...['ucfirst', 'lcfirst', 'split', 'join', 'chomp', 'chop', 'chr', 'ord', 'abs', 'int'],
  ...['sqrt', 'sin', 'cos', 'atan2', 'exp', 'log', 'hex', 'oct', 'rand', 'srand', 'reverse'],
  ...['sort', 'keys', 'values', 'each', 'exists', 'delete', 'defined', 'undef', 'push', 'pop'],
  ...['shift', 'unshift', 'splice', 'scalar', 'map', 'grep', 'quotemeta', 'pos', 'pack'],
  ...['unpack', 'time', 'localtime', 'gmtime', 'sleep', 'exit', 'die', 'warn', 'eof', 'ref'],
  ...['if', 'elsif', 'else', 'unless', 'while', 'until', 'for', 'foreach', 'last', 'next'],
  ...['redo', 'return', 'do', 'my', 'our', 'local', 'and', 'or', 'not', 'xor', 'eq', 'ne'],
  ...['lt', 'gt', 'le', 'ge', 'cmp', 'x', 'BEGIN', 'END', 'STDIN', 'STDOUT', 'STDERR', 'LINE'],
]);

/** After these a `/` is a division (they are complete terms); after other words, a regex. */
const TERM_WORDS = new Set(['time', 'STDIN', 'STDOUT', 'STDERR', 'LINE']);

const QUOTE_LIKE = new Set(['q', 'qq', 'qw', 'qr', 'm', 's', 'tr', 'y']);
const FILE_TESTS = 'rwxoRWXOezsfdlpSbcugktTBMAC';
const CLOSING: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/**
 * A file argument the 2-argument open reads as just a file: it does not start with a mode
 * (`<`, `>`, `+<`, `|`, `-`, whitespace) nor end with `|` or whitespace. A glob qualifies only
 * if its first and last characters are literal (`./*.txt`; `*.txt` could match `|cmd;.txt`).
 */
function plainFile(word: Word): boolean {
  if (!word.literal) return false;
  if (!/^[\w./][^\n]*$/.test(word.value) || /[|\s]$/.test(word.value)) return false;
  if (!word.pattern) return !/[|<>&]/.test(word.value);
  return !/[*?[\]{}]$/.test(word.value);
}

interface CodeReading {
  /** Why the code is not a plain text filter (undefined: it is). */
  problem?: string;
  /** It reads the files named on the command line with `<>`/`<ARGV>`/`eof()`. */
  diamond: boolean;
  /** It names @ARGV, which it could fill with commands for the 2-argument open. */
  argvArray: boolean;
}

class PerlReader {
  private at = 0;
  private operand = false;
  /**
   * The last token was a `}` or a filehandle word: Perl may read a `/` after it as a division
   * or as the start of a pattern, and reading it the other way could hide code in a string.
   */
  private ambiguous = false;
  /** For each open `{`: whether it opened a subscript (else a block or an anonymous hash). */
  private readonly braces: boolean[] = [];
  private closedSubscript = false;
  readonly reading: CodeReading = { diamond: false, argvArray: false };

  constructor(private readonly code: string) {}

  read(): CodeReading {
    try {
      while (this.at < this.code.length) this.token();
    } catch (error) {
      if (!(error instanceof Opaque)) throw error;
      this.reading.problem = error.message;
    }
    return this.reading;
  }

  private rest(): string {
    return this.code.slice(this.at);
  }

  private token(): void {
    const { code } = this;
    const char = code[this.at]!;
    const next = code[this.at + 1] ?? '';
    if (/\s/.test(char)) {
      this.at += 1;
      return;
    }
    if (this.ambiguous && char === '/') {
      throw new Opaque('a / after } or a filehandle could be read two ways');
    }
    this.ambiguous = false;
    if (char === '#') throw new Opaque('it has a # comment, which is not read');
    if (char === '`') throw new Opaque('it runs a shell command (`…`)');
    if (char === '$') return this.scalar();
    if (char === '@') return this.array();
    if (char === '%' && !this.operand) return this.hash();
    if (char === '&' || char === '*') {
      if (next === char || next === '=' || this.operand) {
        this.at += next === char ? 2 : 1;
        this.operand = false;
        return;
      }
      throw new Opaque(
        char === '&' ? 'it calls a sub by name or reference (&…)' : 'it uses a typeglob (*…)',
      );
    }
    if (char === '-') {
      if (next === '>') throw new Opaque('it calls a method or dereferences (->)');
      if (!this.operand && FILE_TESTS.includes(next) && !/\w/.test(code[this.at + 2] ?? '')) {
        this.at += 2; // -e $file, -s $_: a test on a file, which reads no content
        return;
      }
      this.at += next === '-' ? 2 : 1;
      if (next !== '-') this.operand = false;
      return;
    }
    if (char === '+') {
      this.at += next === '+' ? 2 : 1;
      if (next !== '+') this.operand = false;
      return;
    }
    if (char === '<') return this.angle();
    if (char === '/' && this.operand) {
      // A division, `//` (defined-or), `/=`, `//=`: never the start of a pattern.
      this.at += /^\/\/?=?/.exec(this.rest())![0].length;
      this.operand = false;
      return;
    }
    if (char === '/') {
      this.at += 1;
      const pattern = this.delimited('/');
      this.flags();
      this.interpolated(pattern, true);
      this.operand = true;
      return;
    }
    if (char === "'") {
      this.at += 1;
      this.delimited("'");
      this.operand = true;
      return;
    }
    if (char === '"') {
      this.at += 1;
      this.interpolated(this.delimited('"'), false);
      this.operand = true;
      return;
    }
    if (/\d/.test(char) || (char === '.' && /\d/.test(next) && !this.operand)) {
      const number = /^(0x[\da-f_]+|0b[01_]+|\d[\d_]*(\.(?!\.)[\d_]*)?(e[+-]?\d+)?|\.\d[\d_]*)/i;
      this.at += number.exec(this.rest())![0].length;
      this.operand = true;
      return;
    }
    if (/[A-Za-z_]/.test(char)) return this.bareword();
    if (char === '{') {
      // `$h{…}`, `$F[1]{…}`: a subscript right after a variable; anything else opens a block.
      const previous = code[this.at - 1] ?? '';
      const subscript =
        this.operand &&
        (/\w/.test(previous) || (previous === '}' && this.closedSubscript) || previous === ']');
      this.braces.push(subscript);
      this.at += 1;
      this.operand = false;
      return;
    }
    if (/[)\]}]/.test(char)) {
      this.at += 1;
      this.operand = true;
      this.closedSubscript = char === '}' && this.braces.pop() === true;
      this.ambiguous = char === '}' && !this.closedSubscript;
      return;
    }
    if (/[([{,;=!~^|:?.>%/\\]/.test(char)) {
      this.at += 1;
      this.operand = false;
      return;
    }
    throw new Opaque(`it has ${JSON.stringify(char)}, which is not read`);
  }

  private scalar(): void {
    const rest = this.rest();
    this.operand = true;
    const name = /^\$#?(\w+)/.exec(rest);
    if (name) {
      this.variableName(name[1]!, '$', rest.slice(name[0].length));
      this.at += name[0].length;
      return;
    }
    if (/^\$\{\w+\}/.test(rest)) {
      this.at += /^\$\{\w+\}/.exec(rest)![0].length;
      return;
    }
    if (/^\$#?[{$]/.test(rest) && !/^\$\$(?![\w{])/.test(rest)) {
      throw new Opaque('it dereferences an expression (${…}, $$…), which could name any variable');
    }
    if (rest[1] === '^') throw new Opaque('it uses a special variable $^…');
    if (rest.length < 2) throw new Opaque('it ends in $');
    this.at += 2; // $_, $., $/, $1, $&, $$ …: one punctuation or digit
  }

  private array(): void {
    const rest = this.rest();
    this.operand = true;
    const name = /^@(\w+)/.exec(rest);
    if (name) {
      this.variableName(name[1]!, '@', rest.slice(name[0].length));
      this.at += name[0].length;
      return;
    }
    if (/^@[-+]/.test(rest)) {
      this.at += 2;
      return;
    }
    throw new Opaque('it dereferences an expression (@{…}, @$…), which could name any array');
  }

  private hash(): void {
    const rest = this.rest();
    this.operand = true;
    const name = /^%(\w+)/.exec(rest);
    if (name) {
      this.variableName(name[1]!, '%', rest.slice(name[0].length));
      this.at += name[0].length;
      return;
    }
    if (/^%[-+]/.test(rest)) {
      this.at += 2;
      return;
    }
    throw new Opaque('it dereferences an expression (%{…}, %$…), which could name any hash');
  }

  private variableName(name: string, sigil: string, after: string): void {
    if (after.startsWith('::') || /^'\w/.test(after)) {
      throw new Opaque(`it names a package variable (${sigil}${name}::…)`);
    }
    if (name === 'SIG') throw new Opaque('it sets a signal handler (%SIG), which can name a sub');
    if (name === 'ARGV' && (sigil === '@' || after.startsWith('['))) this.reading.argvArray = true;
  }

  private angle(): void {
    const rest = this.rest();
    if (/^<<["'~A-Za-z_]/.test(rest)) throw new Opaque('it has a here-document (<<…)');
    if (!this.operand) {
      const handle = /^<(STDIN|ARGV)?>|^<<>>/.exec(rest);
      if (!handle) throw new Opaque('it reads a file glob or handle (<…>)');
      if (handle[0] === '<>' || handle[1] === 'ARGV') this.reading.diamond = true;
      this.at += handle[0].length;
      this.operand = true;
      return;
    }
    this.at += /^(<=>|<<=|<<|<=|<)/.exec(rest)![0].length;
    this.operand = false;
  }

  private bareword(): void {
    const rest = this.rest();
    const word = /^\w+/.exec(rest)![0];
    const after = rest.slice(word.length);
    if (after.startsWith('::') || /^'\w/.test(after)) {
      throw new Opaque(`it names a package (${word}::…)`);
    }
    const before = this.code.slice(0, this.at).trimEnd();
    // A hash key: `$h{key}`, `key => 1`.
    if ((before.endsWith('{') && /^\s*\}/.test(after)) || /^\s*=>/.test(after)) {
      this.at += word.length;
      this.operand = true;
      return;
    }
    if (QUOTE_LIKE.has(word) && !/^\s*(=>|,|;|\))/.test(after)) {
      this.at += word.length;
      this.quoteLike(word);
      this.operand = true;
      return;
    }
    // `@x = ("") x3`: the repetition operator written against its count.
    if (this.operand && /^x\d+$/.test(word)) {
      this.at += word.length;
      return;
    }
    if (!SAFE_WORDS.has(word)) {
      throw new Opaque(`it calls ${word}, which is not a text filter's builtin`);
    }
    if (word === 'do' && !/^\s*\{/.test(after)) throw new Opaque('it runs a file (do FILE)');
    if (word === 'sort' && /^\s*\$/.test(after))
      throw new Opaque('it sorts with a sub named by a variable');
    if (word === 'eof' && /^\s*\(\s*\)/.test(after)) this.reading.diamond = true;
    this.at += word.length;
    this.operand = TERM_WORDS.has(word);
    this.ambiguous = this.operand && word !== 'time';
  }

  private quoteLike(operator: string): void {
    const spaced = /^\s*/.exec(this.rest())![0];
    this.at += spaced.length;
    const open = this.code[this.at];
    if (open === undefined || /[\w\s]/.test(open) || (open === '#' && spaced !== '')) {
      throw new Opaque(`${operator} is used in a way that is not read`);
    }
    this.at += 1;
    const first = this.delimited(open);
    let second = '';
    let secondOpen = open;
    if (operator === 's' || operator === 'tr' || operator === 'y') {
      if (CLOSING[open]) {
        this.at += /^\s*/.exec(this.rest())![0].length;
        secondOpen = this.code[this.at] ?? '';
        if (secondOpen === '' || /[\w\s#]/.test(secondOpen)) {
          throw new Opaque(`${operator} is not closed`);
        }
        this.at += 1;
      }
      second = this.delimited(secondOpen);
    }
    const flags = this.flags();
    if (operator === 'q' || operator === 'qw' || operator === 'tr' || operator === 'y') return;
    if (operator === 'qq') return this.interpolated(first, false, open);
    this.interpolated(first, true, open);
    if (operator !== 's') return;
    if (flags.includes('e')) {
      if (/e.*e/.test(flags)) throw new Opaque('it evaluates a string as code (s///ee)');
      const inner = new PerlReader(second).read();
      if (inner.problem) throw new Opaque(`in its s///e replacement, ${inner.problem}`);
      this.reading.diamond ||= inner.diamond;
      this.reading.argvArray ||= inner.argvArray;
      return;
    }
    this.interpolated(second, false, secondOpen);
  }

  private flags(): string {
    const flags = /^[a-z]*/.exec(this.rest())![0];
    this.at += flags.length;
    return flags;
  }

  /** The text up to the closing delimiter (nested pairs counted), moving past it. */
  private delimited(open: string): string {
    const close = CLOSING[open] ?? open;
    const start = this.at;
    let depth = 0;
    while (this.at < this.code.length) {
      const char = this.code[this.at]!;
      if (char === '\\') {
        this.at += 2;
        continue;
      }
      if (char === close && depth === 0) {
        this.at += 1;
        return this.code.slice(start, this.at - 1);
      }
      if (close !== open && char === open) depth += 1;
      if (close !== open && char === close) depth -= 1;
      this.at += 1;
    }
    throw new Opaque('a string or pattern is not closed');
  }

  /**
   * A string or pattern Perl interpolates: `@{[ … ]}`, `${\ … }`, a subscript holding an
   * expression and `(?{ … })` run code there.
   */
  private interpolated(text: string, regex: boolean, open = '"'): void {
    if (open === "'") return;
    if (regex && /\(\*?\?{1,2}\{|\(\*\{/.test(text)) {
      throw new Opaque('it runs code inside a pattern ((?{…}))');
    }
    for (let at = 0; at < text.length; at += 1) {
      const char = text[at]!;
      if (char === '\\') {
        at += 1;
        continue;
      }
      if (char !== '$' && char !== '@') continue;
      const rest = text.slice(at);
      if (/^[$@]\{(?!\w+\})/.test(rest) || /^\$\$[\w{]/.test(rest) || /^@\$/.test(rest)) {
        throw new Opaque('it runs code inside a string (${…}, @{…})');
      }
      const name = /^[$@](\w+|\{\w+\})/.exec(rest);
      if (!name) continue;
      let after = rest.slice(name[0].length);
      if (after.startsWith('::')) throw new Opaque('it interpolates a package variable');
      if (name[1] === 'ARGV' && (char === '@' || after.startsWith('['))) {
        this.reading.argvArray = true;
      }
      // Subscripts: only a number, a plain variable or a word; anything else is code.
      while (/^(->)?[[{]/.test(after)) {
        if (after.startsWith('->')) throw new Opaque('it dereferences inside a string');
        const subscript = /^\[(-?\d+|\$\w+)\]|^\{(-?\w+|\$\w+)\}/.exec(after);
        if (!subscript) {
          // A character class after a variable — unless it could be an expression.
          if (regex && /^\[[^\]()"'$@&`{}\s]*\]/.test(after)) break;
          if (regex && /^\{\d*,?\d*\}/.test(after)) break; // a quantifier
          throw new Opaque('it has an expression inside a string subscript');
        }
        after = after.slice(subscript[0].length);
      }
    }
  }
}

class Opaque extends Error {}

/** Options a text-filtering one-liner uses; anything else (-M, -I, -x, -d …) leaves it opaque. */
interface PerlOptions {
  code: string[];
  inPlace: boolean;
  loop: boolean;
  files: Word[];
  problem?: string;
}

function perlOptions(args: readonly Word[]): PerlOptions {
  const options: PerlOptions = { code: [], inPlace: false, loop: false, files: [] };
  // The first reason the one-liner cannot be judged; it only matters if there is inline code.
  const opaque = (why: string) => (options.problem ??= why);
  let index = 0;
  for (; index < args.length; index += 1) {
    const word = args[index]!;
    if (word.value === '--') {
      index += 1;
      break;
    }
    if (!word.value.startsWith('-') || word.value === '-') break;
    if (!word.literal) opaque(`an option only known when it runs (${word.value})`);
    const bundle = word.value.slice(1);
    for (let at = 0; at < bundle.length; at += 1) {
      const letter = bundle[at]!;
      const rest = bundle.slice(at + 1);
      if ('anpswWXctuU'.includes(letter)) {
        if (letter === 'n' || letter === 'p' || letter === 'a') options.loop = true;
        continue;
      }
      // -l[octal], -0[octal|xHEX], -C[number|letters]: a value attached, maybe empty.
      const value = { l: /^[0-7]*/, '0': /^(x[\da-fA-F]*|[0-7]*)/, C: /^(\d+|[IOEioSADL]*)/ }[
        letter as 'l' | '0' | 'C'
      ];
      if (value) {
        at += value.exec(rest)![0].length;
        continue;
      }
      if (letter === 'i') {
        // A backup name with a folder in it (-i'/tmp/*') writes somewhere else.
        if (!/^[\w.~*-]*$/.test(rest)) opaque(`its -i backup name is not a plain suffix (${rest})`);
        options.inPlace = true;
      } else if (letter === 'F') {
        options.loop = true;
        if (!/^(?:[\w\s,:;|.=-]|\\[\w|.\\-])*$/.test(rest)) {
          opaque(`its -F pattern is not a plain separator (${rest})`);
        }
      } else if (letter === 'e' || letter === 'E') {
        const code = rest !== '' ? word : args[index + 1];
        if (rest === '') index += 1;
        if (!code) opaque(`-${letter} has no code`);
        else if (!code.literal)
          opaque(`its code has parts only known when it runs (${code.value})`);
        options.code.push(rest !== '' ? rest : (code?.value ?? ''));
      } else {
        opaque(`perl -${letter} is not a text filter's option`);
      }
      break; // the rest of the bundle was this option's value
    }
  }
  options.files = args.slice(index);
  return options;
}

/**
 * What `perl … -e CODE files` reads and writes, noting why it asks when the code is not a plain
 * text filter. Undefined when the command has no inline code (a script file: judged as before).
 */
export function perlOneLiner(args: readonly Word[], note: Note): PathOperation[] | undefined {
  const options = perlOptions(args);
  if (options.code.length === 0) return undefined;
  const files = options.files;
  if (options.problem) {
    note(`perl runs inline code that cannot be judged statically: ${options.problem}`);
    return [{ kind: 'read', paths: files }];
  }
  const reading = new PerlReader(options.code.join('\n')).read();
  if (reading.problem) {
    note(`perl runs inline code that cannot be judged statically: ${reading.problem}`);
  } else if (!options.inPlace && (options.loop || reading.diamond)) {
    // The 2-argument open of -n/-p/<>: `x |` runs x; `>x` truncates x.
    if (reading.argvArray) {
      note(
        'perl inline code changes @ARGV, which -n/-p opens the 2-argument way (a name ending in | runs)',
      );
    }
    const magic = files.find((word) => !plainFile(word));
    if (magic) {
      note(
        `perl -n/-p opens its files the 2-argument way, and ${magic.value} is not a plain name: one ending in | runs as a command`,
      );
    }
  }
  return [{ kind: options.inPlace ? 'write' : 'read', paths: files }];
}

/**
 * Whether `perl ARGS` opens file names added after ARGS (by xargs or parallel) the 2-argument
 * way: inline code reading its files with -n/-p/<> and without -i.
 */
export function perlOpensAddedNames(args: readonly Word[]): boolean {
  const options = perlOptions(args);
  if (options.code.length === 0 || options.inPlace) return false;
  return options.loop || new PerlReader(options.code.join('\n')).read().diamond;
}

/** Reads a code string alone (for tests): the reason it is not a plain text filter, if any. */
export function perlCodeProblem(code: string): string | undefined {
  return new PerlReader(code).read().problem;
}
