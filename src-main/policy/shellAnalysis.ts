// Decides what a shell command line does before it runs, so the policy enforcer can judge the
// paths it names and ask for confirmation with a preview. It uses a real parser
// (tree-sitter-bash): a regex can be fooled by quoting, escapes, substitutions and wrappers
// (`\rm`, `r''m`, `sudo env X=1 rm`, `bash -c "…"`), a parse tree cannot. Whatever cannot be
// judged statically is listed in `dynamic` so the enforcer asks instead of allowing. This is
// not the security boundary — the OS sandbox is — it decides what needs a confirmation.
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { Findings } from './shell/findings.js';
import { Walk } from './shell/treeWalk.js';

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
/**
 * What kind of thing about a command is only known when it runs, which decides whether the
 * sandbox can bound it:
 * - `path`: where a read or write goes ($(…), a variable, a glob, a loop variable). The
 *   sandbox confines reads and writes to the allowed paths and hides blocked ones.
 * - `target`: what a program that deletes, deploys or sends data out acts on (`rm $(…)`,
 *   `git push $REMOTE`, `curl $URL`): the sandbox would let it delete or send within bounds
 *   the user did not see, so it asks.
 * - `location`: where later relative paths resolve (`cd $(…)`, `cd dir && …`).
 * - `program`: which program runs, or what it runs (`$CMD`, `eval`, `sh -c "$x"`, a script).
 * - `state`: a change to what later commands run or read (PATH=, alias, trap).
 */
export type UnknownKind = 'path' | 'target' | 'location' | 'program' | 'state';

export interface UnknownPart {
  kind: UnknownKind;
  /** The word or construct as written ("$(ls)", "$CMD", "cd build"). */
  part: string;
  /** The sentence a user reads: why this is unknown (also in `dynamic`). */
  why: string;
  /** For path and target: the program and what it does with it. */
  program?: string;
  operation?: ShellOperationKind;
}

export type ShellAnalysis =
  | {
      ok: true;
      commands: ShellCommand[];
      operations: ShellOperation[];
      /** Every reason the command cannot be judged from its words alone. */
      dynamic: string[];
      /** The same, each with its kind (what the policy decides by). */
      unknown: UnknownPart[];
    }
  | { ok: false; error: string };

/** Longer input is refused: analysis runs synchronously on the main process. */
const MAX_COMMAND_LENGTH = 100_000;
/** `bash -c 'bash -c "…"'` nesting. */
const MAX_NESTING = 8;

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
