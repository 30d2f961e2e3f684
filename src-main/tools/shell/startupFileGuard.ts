// Start-up files (.bashrc, .mcp.json, .vscode, .git/hooks …) that did not exist when a
// sandboxed shell started. Those that exist are bound read-only inside the sandbox, which
// changes nothing anyone can see. One that does not exist could only be kept from being
// created by a placeholder mounted where it would be — an entry `ls -A`, `git status`,
// `find` and `grep -r` then list, and that reads as "Permission denied" (DESIGN.md §6). So
// instead the guard looks, before and after every command and when the shell exits, and
// moves away any that has appeared: a command that plants `~/.bash_profile` or
// `.vscode/tasks.json` to run code outside the sandbox later finds it gone and is told so.
//
// What this does not stop: the file exists on the host from the moment it is written until
// the end of the command that wrote it (or, written by a background job, until the next
// command starts or the shell exits). A program started on the host in that window (a login
// shell opening ~/.bash_profile) would read it. Moved, not deleted: a file the user made on
// the host during that command is kept, in the quarantine folder the report names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SandboxViolation } from './sandboxViolations.js';

export class StartupFileGuard {
  private quarantine: string | undefined;

  /**
   * `absent`: protected paths (absolute) that did not exist when the shell started;
   * `quarantineRoot`: where their replacements go (a fresh temp folder when not given).
   */
  constructor(
    private readonly absent: readonly string[],
    private readonly quarantineRoot?: string,
  ) {}

  /** Moves away every guarded path that now exists; one write violation for each. */
  check(): SandboxViolation[] {
    const violations: SandboxViolation[] = [];
    for (const file of this.absent) {
      // lstat: a symlink planted at the name is the attack itself, whatever it points to.
      // No exception when missing: this runs twice per command and must cost microseconds.
      if (!fs.lstatSync(file, { throwIfNoEntry: false })) continue;
      violations.push(this.moveAway(file));
    }
    return violations;
  }

  private moveAway(file: string): SandboxViolation {
    const line = `sandbox: ${file}: start-up files and git hooks cannot be created from the sandbox`;
    try {
      // Made again when gone (a temp cleaner, or the user emptied it).
      if (!this.quarantine || !fs.existsSync(this.quarantine)) {
        if (this.quarantineRoot) {
          fs.mkdirSync(this.quarantineRoot, { recursive: true, mode: 0o700 });
          this.quarantine = this.quarantineRoot;
        } else {
          this.quarantine = fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-refused-'));
        }
      }
      const target = path.join(
        this.quarantine,
        `${Date.now()}-${file.replace(/[/\\]/g, '_').replace(/^_+/, '')}`,
      );
      try {
        fs.renameSync(file, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        fs.cpSync(file, target, { recursive: true, verbatimSymlinks: true });
        fs.rmSync(file, { recursive: true, force: true });
      }
      return { kind: 'write', line: `${line} (taken back, kept in ${target})`, path: file };
    } catch (error) {
      // Could not be moved: at least it is reported, so the user can remove it.
      return {
        kind: 'write',
        line: `${line} (could not be taken back: ${(error as Error).message}; remove it)`,
        path: file,
      };
    }
  }
}
