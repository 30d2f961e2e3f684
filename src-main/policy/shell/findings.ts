// What one analysis has found: commands, operations and the reasons it cannot judge statically.
import type {
  ShellAnalysis,
  ShellCommand,
  ShellOperation,
  ShellOperationKind,
} from '../shellAnalysis.js';
import type { Word } from './argv.js';

interface PendingOperation {
  kind: ShellOperationKind;
  program: string;
  paths: Word[];
  detail: string;
}

/** What one analysis has found so far, across nested `sh -c` and `eval` strings. */
export class Findings {
  readonly commands: ShellCommand[] = [];
  readonly operations: PendingOperation[] = [];
  private readonly reasons = new Set<string>();

  note(reason: string): void {
    this.reasons.add(reason);
  }

  operation(kind: ShellOperationKind, program: string, paths: Word[], detail: string): void {
    this.operations.push({ kind, program, paths, detail });
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
