// Decides what a shell command line does before it runs, so the policy enforcer can judge the
// paths it names and ask for confirmation with a preview. It uses a real parser
// (tree-sitter-bash): a regex can be fooled by quoting, escapes, substitutions and wrappers
// (`\rm`, `r''m`, `sudo env X=1 rm`, `bash -c "…"`), a parse tree cannot. Whatever cannot be
// judged statically is listed in `dynamic` so the enforcer asks instead of allowing. This is
// not the security boundary — the OS sandbox is — it decides what needs a confirmation.
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';
import {
  CURRENT_DIRECTORY,
  SENSITIVE_VARIABLE,
  SHELLS,
  SHELL_OPTIONS,
  WRAPPERS,
  canonicalProgram,
  guessPaths,
  hasOption,
  inlineCodeOption,
  interpreterOf,
  isStream,
  isSystemProgramPath,
  optionValues,
  parseArgs,
  pathOperations,
  toolKinds,
  type WrapperSpec,
  type Word,
} from './shellPrograms.js';

export type ShellOperationKind = 'delete' | 'deploy' | 'network' | 'write' | 'read';
export interface ShellOperation {
  kind: ShellOperationKind;
  /** The program doing it, after unwrapping sudo/env/xargs/sh -c …: 'rm', 'git', 'curl'. */
  program: string;
  /** As written: quotes removed, '~' not expanded, relative paths left relative. */
  paths: string[];
  /** Human text for a preview: 'rm -rf build/ logs/', 'git push origin main'. */
  detail: string;
}
/** One simple command; wrapped commands (`sudo rm x`) appear both as sudo and as rm. */
export interface ShellCommand {
  program: string;
  argv: string[];
}
export type ShellAnalysis =
  | { ok: true; commands: ShellCommand[]; operations: ShellOperation[]; dynamic: string[] }
  | { ok: false; error: string };

/** Longer input is refused: analysis runs synchronously on the main process. */
const MAX_COMMAND_LENGTH = 100_000;
/** `bash -c 'bash -c "…"'` nesting, and wrapper chains like `sudo env nice nohup …`. */
const MAX_NESTING = 8;
const MAX_WRAPPERS = 16;
const MAX_DETAIL = 200;

export class ShellAnalyzer {
  private constructor(private readonly parser: Parser) {}

  /** Loads the wasm runtime and the bash grammar once; reuse the instance. */
  static async create(): Promise<ShellAnalyzer> {
    await Parser.init();
    const grammar = createRequire(import.meta.url).resolve(
      'tree-sitter-bash/tree-sitter-bash.wasm',
    );
    const parser = new Parser();
    parser.setLanguage(await Language.load(grammar));
    return new ShellAnalyzer(parser);
  }

  analyze(command: string): ShellAnalysis {
    if (command.trim() === '') return { ok: false, error: 'empty command' };
    // A NUL cannot reach a program through argv; whatever follows it is not what would run.
    if (command.includes('\0')) return { ok: false, error: 'command contains a NUL byte' };
    if (command.length > MAX_COMMAND_LENGTH) {
      return {
        ok: false,
        error: `command is too long to analyse (${command.length} characters, the limit is ${MAX_COMMAND_LENGTH})`,
      };
    }
    const findings = new Findings();
    try {
      const error = this.walk(command, findings, 0);
      return error === undefined ? findings.result() : { ok: false, error };
    } catch (error) {
      // Fail closed: a bug or an input too deep to walk is an unparseable command.
      return { ok: false, error: `could not analyse the command: ${String(error)}` };
    }
  }

  /** Parses and walks one command line; returns the syntax error if there is one. */
  private walk(source: string, findings: Findings, depth: number): string | undefined {
    const tree = this.parser.parse(source);
    if (!tree) return 'the shell parser gave no result';
    try {
      const error = syntaxError(tree.rootNode, source.includes('\n'));
      if (error !== undefined) return error;
      const nested = (inner: string, label: string) => {
        if (depth + 1 >= MAX_NESTING) {
          findings.note(`${label}: nested too deeply to analyse`);
        } else {
          const innerError = this.walk(inner, findings, depth + 1);
          if (innerError !== undefined) findings.note(`${label} does not parse: ${innerError}`);
        }
      };
      new Walk(source, findings, nested).visit(tree.rootNode);
      return undefined;
    } finally {
      tree.delete(); // trees live in wasm memory, which the JS garbage collector cannot see
    }
  }
}

function syntaxError(root: Node, multiline: boolean): string | undefined {
  if (!root.hasError) return undefined;
  const bad = firstBadNode(root);
  if (!bad) return 'syntax error';
  const { row, column } = bad.startPosition;
  const where = multiline ? `line ${row + 1}, column ${column + 1}` : `column ${column + 1}`;
  if (bad.isMissing) {
    const what = bad.type === 'word' ? 'a command or word' : JSON.stringify(bad.type);
    return `syntax error: missing ${what} near ${where}`;
  }
  const text = bad.text.split('\n')[0] ?? '';
  const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
  return `syntax error: unexpected ${JSON.stringify(shown)} near ${where}`;
}

function firstBadNode(node: Node): Node | undefined {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) {
    if (child.hasError || child.isMissing) {
      const found = firstBadNode(child);
      if (found) return found;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

interface PendingOperation {
  kind: ShellOperationKind;
  program: string;
  paths: Word[];
  detail: string;
}

/** What one analysis has found so far, across nested `sh -c` and `eval` strings. */
class Findings {
  readonly commands: ShellCommand[] = [];
  readonly operations: PendingOperation[] = [];
  private readonly reasons = new Set<string>();

  note(reason: string): void {
    this.reasons.add(reason);
  }

  result(): ShellAnalysis {
    const operations: ShellOperation[] = [];
    const seen = new Set<string>();
    for (const operation of this.operations) {
      const paths = operation.paths.filter((word) => !word.pipe);
      // A read or write with no path says nothing (`ls -la`); a delete or deploy always does.
      if (paths.length === 0 && (operation.kind === 'read' || operation.kind === 'write')) continue;
      for (const path of paths) {
        if (!path.literal) {
          this.note(`path argument is not literal: ${path.value}`);
        } else if (path.pattern) {
          this.note(`path argument is a pattern the shell expands: ${path.value}`);
        }
      }
      const shown = { ...operation, paths: paths.map((word) => word.value) };
      const key = JSON.stringify(shown);
      if (!seen.has(key)) operations.push(shown);
      seen.add(key);
    }
    return { ok: true, commands: this.commands, operations, dynamic: [...this.reasons] };
  }
}

const FILE_KINDS: ReadonlySet<ShellOperationKind> = new Set(['read', 'write', 'delete']);
const OUTPUT_REDIRECTS = new Set(['>', '>>', '&>', '&>>', '>|', '>&']);

/** Walks one parse tree, turning simple commands and redirections into findings. */
class Walk {
  /** Words tree-sitter attached to a redirection (`echo > f hi`), by the command they belong to. */
  private readonly extraWords = new Map<number, Word[]>();
  /** Program and preview text of each command node, to label its redirections. */
  private readonly labels = new Map<number, { program: string; detail: string }>();
  /** Heredocs and here-strings by the command they feed: `bash <<'EOF'` runs that text. */
  private readonly heredocs = new Map<number, Word>();
  /** The standard input of the command being resolved, when it is such a text. */
  private stdin: Word | undefined;

  constructor(
    private readonly source: string,
    private readonly findings: Findings,
    private readonly nested: (source: string, label: string) => void,
  ) {}

  visit(node: Node): void {
    switch (node.type) {
      case 'command':
        return this.command(node);
      case 'redirected_statement':
        return this.redirected(node);
      case 'file_redirect':
      case 'heredoc_redirect':
        return this.redirect(node, { program: 'shell', detail: '' });
      case 'variable_assignment':
        this.assignment(node.childForFieldName('name')?.text ?? '');
        break;
      case 'comment':
        return;
    }
    for (const child of node.namedChildren) this.visit(child);
  }

  private command(node: Node): void {
    const words: Word[] = [];
    const redirects: Node[] = [];
    let previousEnd = -1;
    let previousType = '';
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i)!;
      const field = node.fieldNameForChild(i);
      if (field === 'redirect') {
        redirects.push(child);
        continue;
      }
      if (field === 'name' || field === 'argument') {
        const word = wordOf(child);
        const last = words.at(-1);
        const between = this.source.slice(previousEnd, child.startIndex);
        // tree-sitter splits `a\<newline>b` and `$"x"` into two nodes; the shell sees one word
        // (`ab`, and `x`: $"…" is a translatable string).
        if (last && (between === '' || between === '\\\n')) {
          words[words.length - 1] = previousType === '$' ? word : joinWords(last, word);
        } else {
          words.push(word);
        }
        previousEnd = child.endIndex;
        previousType = child.type;
      }
      this.visit(child); // substitutions inside words and assignments are commands too
    }
    for (const redirect of redirects) words.push(...attachedWords(redirect));
    words.push(...(this.extraWords.get(node.id) ?? []));
    this.stdin = redirects.map(stdinText).find(Boolean) ?? this.heredocs.get(node.id);
    const label = { program: this.resolve(words, words, 0), detail: display(words) };
    this.stdin = undefined;
    this.labels.set(node.id, label);
    for (const redirect of redirects) this.redirect(redirect, label);
  }

  private redirected(node: Node): void {
    const body = node.childForFieldName('body');
    const redirects = node.childrenForFieldName('redirect');
    // `a && b > f` parses as (a && b) > f, but the redirection belongs to b alone.
    const target = body ? lastCommand(body) : undefined;
    const extra = redirects.flatMap(attachedWords);
    if (extra.length > 0) {
      if (target) this.extraWords.set(target.id, extra);
      else this.findings.note('words after a redirection could not be attributed to a command');
    }
    const heredoc = redirects.map(stdinText).find(Boolean);
    if (heredoc && target) this.heredocs.set(target.id, heredoc);
    if (body) this.visit(body);
    const label = (target && this.labels.get(target.id)) ?? {
      program: 'shell',
      detail: body ? summary(body.text) : '',
    };
    for (const redirect of redirects) this.redirect(redirect, label);
  }

  private redirect(node: Node, owner: { program: string; detail: string }): void {
    if (node.type === 'file_redirect') {
      const operator = node.children.find((child) => !child.isNamed)?.type ?? '';
      const destination = node.childrenForFieldName('destination')[0];
      const target = destination ? wordOf(destination) : undefined;
      const duplicate = /^\d+-?$|^-$/.test(target?.value ?? '') && operator.endsWith('&');
      if (target && !duplicate && !target.pipe && !isStream(target.value)) {
        const descriptor = node.childForFieldName('descriptor')?.text ?? '';
        const detail = `${owner.detail} ${descriptor}${operator} ${display([target])}`.trim();
        const kind = OUTPUT_REDIRECTS.has(operator) ? 'write' : operator === '<' ? 'read' : null;
        // bash itself connects `> /dev/tcp/host/port`: a network connection, not a file.
        if (/^\/dev\/(tcp|udp)\//.test(target.value)) {
          this.operation('network', owner.program, [], detail);
        } else if (kind) {
          this.operation(kind, owner.program, [target], detail);
        }
      }
    }
    for (const child of node.namedChildren) {
      if (child.type === 'file_redirect') this.redirect(child, owner);
      else this.visit(child);
    }
  }

  private assignment(name: string): void {
    if (SENSITIVE_VARIABLE.test(name)) {
      this.findings.note(`sets ${name}, which changes what later commands run or read`);
    }
  }

  private operation(kind: ShellOperationKind, program: string, paths: Word[], detail: string) {
    this.findings.operations.push({ kind, program, paths, detail });
  }

  /**
   * Records one simple command and what it does, unwrapping wrappers down to the program that
   * really runs. `outer` is the whole command as written, used for the preview text.
   */
  private resolve(words: readonly Word[], outer: readonly Word[], hops: number): string {
    const [name, ...args] = words;
    if (!name) return 'shell';
    const detail = display(outer);
    const argv = words.map((word) => word.value);
    if (!name.literal || name.pattern) {
      this.findings.note(
        name.substitution
          ? `command substitution as program: ${name.value}`
          : name.pattern
            ? `command name is a pattern the shell expands: ${name.value}`
            : `command name comes from an expansion: ${name.value}`,
      );
      this.findings.commands.push({ program: name.value, argv });
      for (const { kind, paths } of guessPaths(args))
        this.operation(kind, name.value, paths, detail);
      return name.value;
    }
    const program = canonicalProgram(name.value);
    this.findings.commands.push({ program, argv });
    if (hops > MAX_WRAPPERS) {
      this.findings.note(`too many nested wrappers around ${program}`);
      return program;
    }
    // A program run by path (./deploy.sh, ~/bin/x) is a file the guard should see.
    if (name.value.includes('/') && !isSystemProgramPath(name.value)) {
      this.operation('read', program, [name], detail);
    }
    const note = (reason: string) => this.findings.note(reason);
    for (const kind of toolKinds(program, args, note)) this.operation(kind, program, [], detail);

    const subcommand = args[0]?.literal ? WRAPPERS[`${program} ${args[0].value}`] : undefined;
    const wrapper = WRAPPERS[program] ?? subcommand;
    if (wrapper) {
      const wrapped = subcommand && !WRAPPERS[program] ? args.slice(1) : args;
      return this.unwrap(program, wrapper, wrapped, outer, hops);
    }
    if (SHELLS.has(program)) return this.shell(program, args, detail);
    if (this.builtin(program, args, outer, hops)) return program;
    if (interpreterOf(program) === 'python') {
      // `python3 -m pip install x` runs pip.
      const parsed = parseArgs(args, { short: 'cmWX' }, true);
      const module = optionValues(parsed, ['-m'])[0];
      if (module) return this.resolve([module, ...parsed.rest], outer, hops + 1);
    }
    const inline = inlineCodeOption(program, args);
    if (inline) note(`${program} runs inline code (${inline}) that cannot be judged statically`);
    for (const { kind, paths } of pathOperations(program, args, note)) {
      this.operation(kind, program, paths, detail);
    }
    return program;
  }

  /** Shell builtins that run or redirect other commands. Returns whether it handled one. */
  private builtin(program: string, args: readonly Word[], outer: readonly Word[], hops: number) {
    const detail = display(outer);
    const note = (reason: string) => this.findings.note(reason);
    switch (program) {
      case 'eval':
        note(`eval runs a string as a command line: ${detail}`);
        if (args.every((word) => word.literal)) {
          this.nested(args.map((word) => word.value).join(' '), 'eval');
        }
        return true;
      case 'source':
      case '.':
        note(`${detail} runs the commands in another file`);
        this.operation('read', program, args.slice(0, 1), detail);
        return true;
      case 'find':
        this.find(args, outer, hops);
        return true;
      case 'cd':
      case 'pushd':
      case 'popd':
        note(`${detail} changes the directory later relative paths are resolved in`);
        return true;
      case 'alias':
        note(`${detail} changes what a command name runs`);
        return true;
      case 'trap':
        note(`${detail} runs a command later, on a signal or at exit`);
        return true;
      case 'enable':
        note(`${detail} can load or turn off shell builtins`);
        return true;
      case 'at':
      case 'batch':
      case 'crontab':
        if (args.some((word) => ['-l', '-r'].includes(word.value))) return false;
        note(`${detail} schedules commands to run later`);
        if (this.stdin) this.script(program, this.stdin, `${program} reading a heredoc`);
        return true;
    }
    return false;
  }

  private unwrap(
    program: string,
    spec: WrapperSpec,
    args: readonly Word[],
    outer: readonly Word[],
    hops: number,
  ): string {
    const detail = display(outer);
    const parsed = parseArgs(args, spec.options, true);
    for (const option of parsed.options) {
      const reason = spec.unjudgeable?.[option.name];
      if (reason) this.findings.note(reason);
    }
    if (spec.note) this.findings.note(spec.note);
    this.operation('read', program, optionValues(parsed, spec.reads), detail);
    this.operation('write', program, optionValues(parsed, spec.writes), detail);
    if (hasOption(parsed, spec.noCommand)) return program;
    // `su - root -c cmd`, `flock /tmp/lock -c cmd`: the script option may follow positionals.
    const script = optionValues(parseArgs(args, spec.options), spec.script)[0];
    if (script) return this.script(program, script);
    if (spec.shellUnlessScript) return this.stdinShell(program, detail);

    let rest = parsed.rest;
    if (spec.assignments) {
      // env/sudo accept VAR=value words (and env a lone '-') before the command.
      while (rest[0] && (rest[0].value === '-' || /^[A-Za-z_]\w*=/.test(rest[0].value))) {
        this.assignment(rest[0].value.split('=')[0] ?? '');
        rest = rest.slice(1);
      }
    }
    rest = rest.slice(spec.skip ?? 0);
    const becomes = parsed.options.find((option) => spec.becomes?.[option.name]);
    if (becomes) {
      const name = spec.becomes?.[becomes.name] ?? program;
      return this.resolve(
        [{ value: name, literal: true, pattern: false }, ...rest],
        outer,
        hops + 1,
      );
    }
    if (spec.joinsScript && !hasOption(parsed, spec.joinsScript.unless) && rest.length > 0) {
      // watch 'cmd' runs its arguments through sh -c.
      const joined = rest.map((word) => word.value).join(' ');
      return this.script(program, {
        value: joined,
        literal: rest.every((w) => w.literal),
        pattern: false,
      });
    }
    if (rest.length === 0) {
      return hasOption(parsed, spec.stdinShell) ? this.stdinShell(program, detail) : program;
    }
    if (!spec.stdinPaths) return this.resolve(rest, outer, hops + 1);
    // GNU parallel's ::: and :::: separate the command from its arguments.
    rest = rest.filter((word) => !/^::::?\+?$/.test(word.value));
    // xargs: whatever the inner program does to files, the files come from standard input
    // (which xargs consumes, so a heredoc is not the inner program's script).
    this.stdin = undefined;
    const before = this.findings.operations.length;
    const inner = this.resolve(rest, outer, hops + 1);
    const added = this.findings.operations.slice(before);
    if (added.some((operation) => FILE_KINDS.has(operation.kind))) {
      this.findings.note(`${program} ${inner}: its paths come from standard input`);
    }
    return inner;
  }

  /** sh/bash/zsh: `-c 'script'` is analysed too; a script file or stdin cannot be. */
  private shell(program: string, args: readonly Word[], detail: string): string {
    const parsed = parseArgs(args, SHELL_OPTIONS, true);
    const first = parsed.rest[0];
    if (parsed.options.some((option) => option.name === '-c')) {
      if (first) this.script(program, first);
    } else if (first) {
      this.findings.note(`${program} runs the script ${first.value}`);
      this.operation('read', program, [first], detail);
    } else {
      this.stdinShell(program, detail);
    }
    return program;
  }

  /** A shell reading its commands from standard input: fine if that is a literal heredoc. */
  private stdinShell(program: string, detail: string): string {
    if (this.stdin) return this.script(program, this.stdin, `${program} reading a heredoc`);
    this.findings.note(`${detail} reads commands from standard input`);
    return program;
  }

  private script(program: string, script: Word, label = `${program} -c`): string {
    if (script.literal) {
      this.nested(script.value, `${label} script`);
    } else {
      this.findings.note(
        `${label} runs a command line that is not literal: ${summary(script.value)}`,
      );
    }
    return program;
  }

  /** find: its starting points are read; -delete and -exec work on what it finds under them. */
  private find(args: readonly Word[], outer: readonly Word[], hops: number): void {
    const detail = display(outer);
    let i = 0;
    while (i < args.length && /^-([HLP]|O\d*|D)$/.test(args[i]!.value)) {
      i += args[i]!.value === '-D' ? 2 : 1;
    }
    const starts: Word[] = [];
    while (i < args.length && !/^[-(!)]/.test(args[i]!.value)) starts.push(args[i++]!);
    if (starts.length === 0) starts.push(CURRENT_DIRECTORY);
    this.operation('read', 'find', starts, detail);
    for (; i < args.length; i++) {
      const test = args[i]!.value;
      if (test === '-delete') this.operation('delete', 'find', starts, detail);
      else if (['-fprint', '-fprint0', '-fls', '-fprintf'].includes(test)) {
        this.operation('write', 'find', args.slice(i + 1, i + 2), detail);
      } else if (['-exec', '-execdir', '-ok', '-okdir'].includes(test)) {
        let end = i + 1;
        while (end < args.length && ![';', '+'].includes(args[end]!.value)) end++;
        const before = this.findings.operations.length;
        this.resolve(args.slice(i + 1, end), outer, hops + 1);
        // {} stands for each file found, all of them under the starting points.
        for (const operation of this.findings.operations.slice(before)) {
          operation.paths = operation.paths.flatMap((path) =>
            path.value.includes('{}') ? starts : [path],
          );
        }
        i = end;
      }
    }
  }
}

/** `while read l; do …; done < list`: the start of a compound command, on one line. */
function summary(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

/** The innermost command a redirection applies to: the body, or the last of a list/pipeline. */
function lastCommand(node: Node): Node | undefined {
  let current: Node | null = node;
  while (current && ['list', 'pipeline', 'negated_command'].includes(current.type)) {
    current = current.lastNamedChild;
  }
  return current?.type === 'command' ? current : undefined;
}

/** The text a heredoc or here-string feeds to standard input; literal if nothing expands. */
function stdinText(redirect: Node): Word | undefined {
  if (redirect.type === 'herestring_redirect') {
    const word = redirect.namedChildren[0];
    return word ? wordOf(word) : undefined;
  }
  const body = redirect.namedChildren.find((child) => child.type === 'heredoc_body');
  if (redirect.type !== 'heredoc_redirect' || !body) return undefined;
  const literal = body.namedChildren.every((child) => child.type === 'heredoc_content');
  return { value: body.text, literal, pattern: false };
}

/** tree-sitter-bash gives `echo > f hi` destinations f and hi: hi is really an argument. */
function attachedWords(redirect: Node): Word[] {
  if (redirect.type === 'file_redirect') {
    return redirect.childrenForFieldName('destination').slice(1).map(wordOf);
  }
  if (redirect.type === 'heredoc_redirect') {
    return redirect.childrenForFieldName('argument').map(wordOf);
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Words: from syntax nodes to the strings a program would receive

interface WordBuilder extends Word {
  /** Unquoted, unescaped characters, where brace expansion can happen. */
  bare: string;
}

function wordOf(node: Node): Word {
  const builder: WordBuilder = { value: '', literal: true, pattern: false, bare: '' };
  append(node, builder);
  // `/etc/{passwd,shadow}` and `{1..3}` become several words the guard never sees.
  if (/\{[^{}]*(,|\.\.)[^{}]*\}/.test(builder.bare)) builder.pattern = true;
  const { bare: _bare, ...word } = builder;
  if (node.type === 'process_substitution') word.pipe = true;
  return word;
}

function append(node: Node, word: WordBuilder): void {
  switch (node.type) {
    case 'word':
    case 'number':
      return appendUnquoted(node.text, word);
    case 'raw_string':
      word.value += node.text.slice(1, -1);
      return;
    case 'ansi_c_string':
      word.value += decodeAnsiC(node.text.slice(2, -1));
      return;
    case 'string':
    case 'translated_string':
    case 'concatenation':
    case 'command_name':
      for (const child of node.children) {
        if (child.type === '"' || child.type === '$"') continue;
        if (child.type === 'string_content') {
          word.value += child.text.replace(/\\([$`"\\\n])/g, (_, c: string) =>
            c === '\n' ? '' : c,
          );
        } else if (child.isNamed) append(child, word);
        else word.value += child.text; // a lone '$' is literal
      }
      return;
    case 'brace_expression':
      word.pattern = true;
      word.value += node.text;
      return;
    case 'command_substitution':
      word.substitution = true;
      break;
  }
  // Expansions and substitutions: only known at run time. Keep them as written.
  word.literal = false;
  word.value += node.text;
}

function appendUnquoted(text: string, word: WordBuilder): void {
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      const escaped = text[++i]!;
      if (escaped !== '\n') word.value += escaped;
      word.bare += '_';
      continue;
    }
    if ('*?['.includes(char)) word.pattern = true;
    word.value += char;
    word.bare += char;
  }
}

const ANSI_C: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** $'…' strings: `$'\x72m'` is `rm`, so decoding is part of seeing the real program name. */
function decodeAnsiC(body: string): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/gs,
    (_, escape: string) => {
      const head = escape[0]!;
      if (head === 'x' || head === 'u' || head === 'U') {
        const code = parseInt(escape.slice(1), 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      }
      if (/[0-7]/.test(head)) return String.fromCharCode(parseInt(escape, 8) & 0xff);
      if (head === 'c') return String.fromCharCode(escape.charCodeAt(1) & 0x1f);
      return ANSI_C[head] ?? (`'"?\\`.includes(head) ? head : `\\${head}`);
    },
  );
}

function joinWords(left: Word, right: Word): Word {
  return {
    value: left.value + right.value,
    literal: left.literal && right.literal,
    pattern: left.pattern || right.pattern,
    substitution: left.substitution || right.substitution,
  };
}

// Control characters and bidirectional overrides could make a preview lie about what runs
// (terminal escapes in the CLI, "Trojan Source" reordering in the UI), so they are shown escaped.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

function escapeUnsafe(value: string): string {
  const escaped = [...value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")].map((char) => {
    if (!UNSAFE.test(char)) return char;
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `$'${escaped.join('')}'`;
}

function display(words: readonly Word[]): string {
  const text = words
    .map((word) => {
      if (UNSAFE.test(word.value)) return escapeUnsafe(word.value);
      // Expansions and patterns are shown as written: quoting them would change their meaning.
      if (!word.literal || word.pattern || /^[\w@%+=:,./~^-]+$/.test(word.value)) return word.value;
      return `'${word.value.replaceAll("'", `'\\''`)}'`;
    })
    .join(' ');
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
