// What one analysis has found: commands, operations and what it cannot judge statically —
// each of those with its kind (shellAnalysis.ts UnknownKind), which decides whether the OS
// sandbox can bound it or the user is asked.
import type {
  ShellAnalysis,
  ShellCommand,
  ShellOperation,
  ShellOperationKind,
  UnknownPart,
} from '../shellAnalysis.js';
import { namesAFile, pathText, type Word } from './argv.js';

interface PendingOperation {
  kind: ShellOperationKind;
  program: string;
  paths: Word[];
  detail: string;
}

/** What a kind of operation's unknown path is: a read or write the sandbox bounds, or a target. */
const UNKNOWN_OF: Readonly<Record<ShellOperationKind, UnknownPart['kind']>> = {
  read: 'path',
  write: 'path',
  delete: 'target',
  deploy: 'target',
  network: 'target',
};

/**
 * Substitutions whose output cannot change a judgement: never empty, never `.` or `..`, never
 * starting with `/` (so a path stays where its literal part puts it). Each is replaced by a
 * placeholder for judging; `$(pwd)` by `.`. Arguments may not hold `/`, `.`, `$` or backquotes
 * (`date +/etc/passwd` prints a path).
 */
const HARMLESS_SUBSTITUTION: readonly { program: RegExp; args: RegExp; as: string }[] = [
  { program: /^pwd$/, args: /^(-[LP])?$/, as: '.' },
  { program: /^(nproc|whoami|hostname|arch)$/, args: /^[\w -]*$/, as: 'X' },
  { program: /^uname$/, args: /^(-[a-z]+( -[a-z]+)*)?$/, as: 'X' },
  { program: /^id$/, args: /^-[ugn]{1,2}( -[ugn]{1,2})*$/, as: 'X' },
  // A format is a literal `+…` word without `/` or `.` (and not empty: `date +` prints nothing).
  { program: /^date$/, args: /^(-u |--utc |-d [\w-]+ |-d '[\w -]+' )*\+[^\s/.$`'"]+$|^$/, as: 'X' },
];

/** `$(basename …)` prints one name, but maybe `..` or nothing: harmless inside a longer name. */
const BASENAME = /^basename(\s+[^$`()]*|\s+"?\$\{?\w+\}?"?(\s+\.\w+)?)$/;

/** Variables a command cannot have changed, unless it assigns them (see `assigned`). */
const KNOWN_VARIABLES: Readonly<Record<string, string>> = { PWD: '.', HOME: '~' };

/**
 * The path a word names when its only unknown parts are harmless substitutions (and $PWD or
 * $HOME at its start): the word with placeholders, to be judged like a literal path. Undefined
 * when anything in it is really unknown.
 */
export function knownForm(value: string, assigned: ReadonlySet<string>): string | undefined {
  let unknown = false;
  const replaced = value
    .replace(/^\$(?:\{(PWD|HOME)\}|(PWD|HOME)\b)/, (whole, braced?: string, bare?: string) => {
      const name = (braced ?? bare)!;
      if (assigned.has(name)) {
        unknown = true;
        return whole;
      }
      return KNOWN_VARIABLES[name]!;
    })
    .replace(
      /\$\(((?:[^()$`]|\$\{?\w+\}?)*)\)|`([^`$()]*)`/g,
      (whole, inner?: string, quoted?: string, offset?: number) => {
        const text = (inner ?? quoted ?? '').trim();
        const [program = '', ...rest] = text.split(/\s+/);
        const args = rest.join(' ');
        const harmless = HARMLESS_SUBSTITUTION.find(
          (entry) => entry.program.test(program) && entry.args.test(args),
        );
        if (harmless && (harmless.as !== '.' || offset === 0)) return harmless.as;
        // basename: only as part of a longer name (`$(basename $f).bak`), never a whole one.
        const alone =
          value === whole || value.startsWith(`${whole}/`) || value.endsWith(`/${whole}`);
        if (BASENAME.test(text) && !alone && !value.includes(`/${whole}/`)) return 'X';
        unknown = true;
        return whole;
      },
    );
  if (unknown || /[$`]/.test(replaced)) return undefined;
  return replaced;
}

/** What one analysis has found so far, across nested `sh -c` and `eval` strings. */
export class Findings {
  readonly commands: ShellCommand[] = [];
  readonly operations: PendingOperation[] = [];
  private readonly reasons = new Set<string>();
  private readonly unknown: UnknownPart[] = [];
  /** Variables the command line assigns: they are no longer what the environment says. */
  readonly assigned = new Set<string>();

  /**
   * Something only known when the command runs. Without a kind it is a `program` part: the
   * user is asked whatever the sandbox, as for anything this analysis cannot place.
   */
  note(why: string, part: Omit<UnknownPart, 'why'> = { kind: 'program', part: '' }): void {
    if (this.reasons.has(why)) return;
    this.reasons.add(why);
    this.unknown.push({ ...part, why });
  }

  operation(kind: ShellOperationKind, program: string, paths: Word[], detail: string): void {
    this.operations.push({ kind, program, paths, detail });
  }

  result(): ShellAnalysis {
    const operations: ShellOperation[] = [];
    const seen = new Set<string>();
    for (const operation of this.operations) {
      const paths = operation.paths.filter((word) => namesAFile(word));
      // A read or write with no path says nothing (`ls -la`); a delete or deploy always does.
      if (paths.length === 0 && (operation.kind === 'read' || operation.kind === 'write')) continue;
      const judged: string[] = [];
      for (const path of paths) {
        const unknownPart = { program: operation.program, operation: operation.kind };
        if (!path.literal) {
          const known = path.pattern ? undefined : knownForm(pathText(path), this.assigned);
          if (known !== undefined) {
            judged.push(known);
            continue;
          }
          this.note(`path argument is not literal: ${path.value}`, {
            kind: UNKNOWN_OF[operation.kind],
            part: path.value,
            ...unknownPart,
          });
        } else if (path.pattern) {
          this.note(`path argument is a pattern the shell expands: ${path.value}`, {
            kind: UNKNOWN_OF[operation.kind],
            part: path.value,
            ...unknownPart,
          });
        }
        // As bash reads it: a quoted ~ is a folder named ~, ~user is that user's home.
        judged.push(pathText(path));
      }
      const shown = { ...operation, paths: judged };
      const key = JSON.stringify(shown);
      if (!seen.has(key)) operations.push(shown);
      seen.add(key);
    }
    return {
      ok: true,
      commands: this.commands,
      operations,
      dynamic: [...this.reasons],
      unknown: this.unknown,
    };
  }
}
