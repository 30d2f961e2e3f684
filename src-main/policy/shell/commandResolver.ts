// Classification: one simple command's words into operations and `dynamic` reasons, unwrapped.
import type { ShellOperationKind } from '../shellAnalysis.js';
import { perlOpensAddedNames } from './perlOneLiner.js';
import { CURRENT_DIRECTORY, hasOption, optionValues, parseArgs, type Word } from './argv.js';
import { display, summary } from './display.js';
import { knownForm, type Findings } from './findings.js';
import { toolKinds } from './networkTools.js';
import { guessPaths } from './pathClassifiers.js';
import { pathOperations } from './pathPrograms.js';
import { canonicalProgram, isSystemProgramPath } from './programNames.js';
import {
  SENSITIVE_VARIABLE,
  SHELLS,
  SHELL_OPTIONS,
  WRAPPERS,
  inlineCodeOption,
  interpreterOf,
  type WrapperSpec,
} from './wrappers.js';

/** Wrapper chains like `sudo env nice nohup …`. */
const MAX_WRAPPERS = 16;

const FILE_KINDS: ReadonlySet<ShellOperationKind> = new Set(['read', 'write', 'delete']);

/** Works out what each simple command does, unwrapping wrappers, shells, builtins and find. */
export class CommandResolver {
  /** The standard input of the command being resolved, when it is such a text. */
  private stdin: Word | undefined;

  constructor(
    private readonly findings: Findings,
    private readonly nested: (source: string, label: string) => void,
  ) {}

  /**
   * Records one simple command as written, fed `stdin` (a heredoc or here-string) if it has
   * one; returns the program that really runs, to label the command's redirections.
   */
  record(words: readonly Word[], stdin: Word | undefined): string {
    this.stdin = stdin;
    const program = this.resolve(words, words, 0);
    this.stdin = undefined;
    return program;
  }

  assignment(name: string): void {
    this.findings.assigned.add(name);
    if (SENSITIVE_VARIABLE.test(name)) {
      this.findings.note(`sets ${name}, which changes what later commands run or read`, {
        kind: 'state',
        part: `${name}=`,
      });
    }
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
        { kind: 'program', part: name.value },
      );
      this.findings.commands.push({ program: name.value, argv });
      for (const { kind, paths } of guessPaths(args))
        this.findings.operation(kind, name.value, paths, detail);
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
      this.findings.operation('read', program, [name], detail);
    }
    const note = (reason: string) => this.findings.note(reason);
    const kinds = toolKinds(program, args, note);
    for (const kind of kinds) this.findings.operation(kind, program, [], detail);
    if (kinds.length > 0) this.unknownTargets(program, kinds.includes('deploy'), args);

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
    // perl's inline code is read by its path classifier (perlOneLiner.ts).
    const inline = program === 'perl' ? undefined : inlineCodeOption(program, args);
    if (inline) note(`${program} runs inline code (${inline}) that cannot be judged statically`);
    for (const { kind, paths } of pathOperations(program, args, note)) {
      this.findings.operation(kind, program, paths, detail);
    }
    return program;
  }

  /**
   * A program that sends data out or deploys, with a word only known when it runs: where it
   * goes or what it sends is unknown (`curl $URL`, `git push $REMOTE`, `curl -d @$FILE`).
   * Harmless substitutions (`$(date +%F)` in an output name) do not count.
   */
  private unknownTargets(program: string, deploys: boolean, args: readonly Word[]): void {
    for (const word of args) {
      if (word.pipe || (word.literal && !word.pattern)) continue;
      if (!word.pattern && knownForm(word.value, this.findings.assigned) !== undefined) continue;
      this.findings.note(
        `${program} ${deploys ? 'deploys' : 'sends data'} with a part only known when it runs: ${word.value}`,
        { kind: 'target', part: word.value, program, operation: deploys ? 'deploy' : 'network' },
      );
    }
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
        this.findings.operation('read', program, args.slice(0, 1), detail);
        return true;
      case 'find':
        this.find(args, outer, hops);
        return true;
      case 'cd':
      case 'pushd':
      case 'popd':
        this.findings.note(`${detail} changes the directory later relative paths are resolved in`, {
          kind: 'location',
          part: detail,
          program,
        });
        return true;
      case 'alias':
        // `alias`, `alias -p` and `alias name` only print what is defined.
        if (args.every((word) => word.literal && !word.value.includes('='))) return true;
        this.findings.note(`${detail} changes what a command name runs`, {
          kind: 'state',
          part: detail,
        });
        return true;
      case 'trap':
        note(`${detail} runs a command later, on a signal or at exit`);
        return true;
      case 'enable':
        this.findings.note(`${detail} can load or turn off shell builtins`, {
          kind: 'state',
          part: detail,
        });
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
    this.findings.operation('read', program, optionValues(parsed, spec.reads), detail);
    this.findings.operation('write', program, optionValues(parsed, spec.writes), detail);
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
    if (inner === 'perl' && perlOpensAddedNames(rest.slice(1))) {
      this.findings.note(
        `${program} perl: the file names come from standard input, and perl -n/-p opens them the 2-argument way (one ending in | runs as a command)`,
      );
    }
    const added = this.findings.operations.slice(before);
    const files = added.filter((operation) => FILE_KINDS.has(operation.kind));
    if (files.length > 0) {
      // Reads and writes of whatever arrives are bounded by the sandbox; deletes are not.
      const deletes = files.some((operation) => operation.kind === 'delete');
      this.findings.note(`${program} ${inner}: its paths come from standard input`, {
        kind: deletes ? 'target' : 'path',
        part: `${program} ${inner}`,
        program: inner,
        operation: deletes ? 'delete' : (files[0]!.kind as ShellOperationKind),
      });
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
      this.findings.operation('read', program, [first], detail);
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
    this.findings.operation('read', 'find', starts, detail);
    for (; i < args.length; i++) {
      const test = args[i]!.value;
      if (test === '-delete') this.findings.operation('delete', 'find', starts, detail);
      else if (['-fprint', '-fprint0', '-fls', '-fprintf'].includes(test)) {
        this.findings.operation('write', 'find', args.slice(i + 1, i + 2), detail);
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
