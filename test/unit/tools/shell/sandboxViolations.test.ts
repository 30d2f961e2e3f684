// What counts as a sandbox violation in a command's output, and of which kind.
import { describe, expect, it } from 'vitest';
import { findSandboxViolations } from '../../../../src-main/tools/shell/sandboxViolations.js';

const context = { cwd: '/work', blockedPaths: ['/secret'] };

describe('findSandboxViolations', () => {
  it('a read refused inside an allowed folder is not the sandbox (it mounts no placeholders)', () => {
    const output = 'grep: ./.bashrc: Permission denied\ngrep: ./.idea: Permission denied\n';
    expect(findSandboxViolations(output, context, 2)).toEqual([]);
  });

  it('a blocked file, hidden or refused through /proc, is a read', () => {
    expect(
      findSandboxViolations(
        'cat: /secret/key: No such file or directory\ncat: /proc/7/root/secret/key: Permission denied\n',
        context,
        1,
      ).map(({ kind, path }) => ({ kind, path })),
    ).toEqual([
      { kind: 'read', path: '/secret/key' },
      { kind: 'read', path: '/secret/key' },
    ]);
  });

  it('a refused write is a write, whatever the program', () => {
    expect(
      findSandboxViolations('bash: .git/hooks/pre-commit: Read-only file system\n', context, 1),
    ).toEqual([
      {
        kind: 'write',
        line: 'bash: .git/hooks/pre-commit: Read-only file system',
        path: '/work/.git/hooks/pre-commit',
      },
    ]);
  });
});
