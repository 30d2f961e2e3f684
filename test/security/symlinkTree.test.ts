// A hostile symlink and hardlink tree planted inside the workspace, the way a cloned repo, an
// unpacked archive or a prompt-injected shell command could leave it. PathGuard must judge
// every path where the kernel would really open (or create) it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openChecked, PathDeniedError } from '../../src-main/policy/openChecked.js';
import { PathGuard } from '../../src-main/policy/pathGuard.js';
import { isBelow, makeHostileHome } from '../support/hostileHome.js';

const fx = makeHostileHome();
const { guard, home, projects, work, outside, at } = fx;
const inProjects = (relative: string): string => path.join(projects, relative);

// Modelled on the tree built by setup_testdir() in the Linux openat2 selftests
// (tools/testing/selftests/openat2/resolve_test.c): abssym, relsym, absself -> "/", the
// "cheeky" links with "../" and "/../" garbage, dotdotlink, creatlink -> /newfile3, procroot,
// procexe — re-aimed from $root/etc/passwd at ~/.ssh, ~/.aws and ~/projects/secrets.
const symlinks: Record<string, string> = {
  abssym: at('.ssh/id_rsa'),
  absssh: at('.ssh'),
  'sub/relssh': '../../.ssh',
  relsym: '../.aws/credentials',
  awsdir: '../.aws',
  homelink: '..',
  chainA: 'chainB',
  chainB: 'sub/chainC',
  'sub/chainC': '../chainD',
  chainD: at('.ssh/id_rsa'),
  'a/hop1': '../hop2',
  hop2: 'sub/hop3',
  'sub/hop3': '../../.ssh',
  'a/tok': '../secrets/token.txt',
  opl: fx.omnipalmHome,
  rootlink: '/',
  garbagelink: `/../../../../../../..${at('.ssh/id_rsa')}`,
  dotdotlink: `${'../'.repeat(14)}etc/passwd`,
  garbageself: `/../../..${projects}`,
  'cheeky/readme': '../cheeky/../a/../readme.md',
  procroot: '/proc/self/root',
  procexe: '/proc/self/exe',
  linkToSsh: at('.ssh'),
  creatkey: at('.ssh/authorized_keys'),
  creatrel: '../.ssh/new_key',
  creatdeep: at('.aws/newdir/credentials'),
  creatout: path.join(outside, 'newfile3'),
  creatin: 'created-inside.txt',
  outdir: outside,
  workdir: work,
  loopA: 'loopB',
  loopB: 'loopA',
  self: 'self',
  'sub/loopC': '../loopA',
};
for (const [relative, target] of Object.entries(symlinks)) {
  fs.mkdirSync(path.dirname(inProjects(relative)), { recursive: true });
  fs.symlinkSync(target, inProjects(relative));
}
// Longer than the 40 links the kernel follows before ELOOP.
for (let hop = 0; hop < 45; hop++) fs.symlinkSync(`long${hop + 1}`, inProjects(`long${hop}`));
fs.writeFileSync(inProjects('long45'), 'end of a very long chain\n');

function readChecked(input: string, flags: number = fs.constants.O_RDONLY): string {
  const { fd } = openChecked(guard, input, flags);
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

describe.runIf(process.platform === 'linux')('hostile symlink tree', () => {
  // CVE-2025-53109 (GHSA-q66q-fx2p-7w4m), modelcontextprotocol/servers filesystem server: a
  // symlink inside the allowed folder pointing outside it was read and written through.
  // openat2 selftests: "[beneath] absolute symlink target outside $root", "chained absolute
  // links", "tricky '..'-chained symlink", "garbage link".
  describe('symlinks into blocked folders are blocked', () => {
    it.each([
      ['absolute link to the key', 'abssym', '~/.ssh', '.ssh/id_rsa'],
      ['absolute link to the folder', 'absssh', '~/.ssh', '.ssh'],
      ['file under an absolute folder link', 'absssh/id_rsa', '~/.ssh', '.ssh/id_rsa'],
      ['relative link climbing out (../../.ssh)', 'sub/relssh/id_rsa', '~/.ssh', '.ssh/id_rsa'],
      ['relative link to a file', 'relsym', '~/.aws', '.aws/credentials'],
      ['folder link in the middle of a path', 'awsdir/credentials', '~/.aws', '.aws/credentials'],
      ['link to the home in the middle', 'homelink/.ssh/id_rsa', '~/.ssh', '.ssh/id_rsa'],
      ['chain a -> b -> c -> d -> key', 'chainA', '~/.ssh', '.ssh/id_rsa'],
      ['chain across folders', 'a/hop1/id_rsa', '~/.ssh', '.ssh/id_rsa'],
      [
        'link into the blocked folder inside the workspace',
        'a/tok',
        '~/projects/secrets',
        'projects/secrets/token.txt',
      ],
      ["link to the agent's own home", 'opl/config.yaml', fx.omnipalmHome, '.omnipalm/config.yaml'],
      ['"/../../" garbage link', 'garbagelink', '~/.ssh', '.ssh/id_rsa'],
      ['through a link to "/"', `rootlink${at('.ssh/id_rsa')}`, '~/.ssh', '.ssh/id_rsa'],
      ['through /proc/self/root', `procroot${at('.ssh/id_rsa')}`, '~/.ssh', '.ssh/id_rsa'],
    ])('%s: ~/projects/%s', (_label, relative, rule, realRelative) => {
      const input = `~/projects/${relative}`;
      expect(guard.judge(input)).toMatchObject({
        kind: 'blocked',
        rule,
        realPath: at(realRelative),
      });
      expect(guard.judge(relative, projects)).toMatchObject({ kind: 'blocked', rule });
      expect(() => readChecked(input)).toThrow(PathDeniedError);
    });
  });

  describe('symlinks out of the workspace are outside; links that stay inside are allowed', () => {
    it.each([
      ['link to "/" (absself)', 'rootlink', '/'],
      ['through a link to "/"', 'rootlink/etc/passwd', '/etc/passwd'],
      ['"../" x14 dotdotlink', 'dotdotlink', '/etc/passwd'],
      ['/proc/self/exe', 'procexe', fs.realpathSync(process.execPath)],
      ['link to an outside folder', 'outdir', outside],
      ['link to the home', 'homelink', home],
    ])('%s: ~/projects/%s is outside', (_label, relative, realPath) => {
      expect(guard.judge(`~/projects/${relative}`)).toMatchObject({ kind: 'outside', realPath });
    });

    it.each([
      [
        'chained "../" link back inside (cheeky/passwd)',
        'cheeky/readme',
        inProjects('readme.md'),
        '~/projects',
      ],
      ['"/../../" garbage link back to the workspace', 'garbageself', projects, '~/projects'],
      ['link into the other allowed root', 'workdir/notes.txt', path.join(work, 'notes.txt'), work],
      [
        'through "/" back into the workspace',
        `rootlink${projects}/readme.md`,
        inProjects('readme.md'),
        '~/projects',
      ],
      ['a 45-link chain is too long for the kernel', 'long45', inProjects('long45'), '~/projects'],
    ])('%s: ~/projects/%s is allowed', (_label, relative, realPath, root) => {
      expect(guard.judge(`~/projects/${relative}`)).toMatchObject({
        kind: 'allowed',
        realPath,
        root,
      });
    });
  });

  // openat2 selftests: "creatlink -> /newfile3" and "[in_root] O_CREAT of tricky symlink
  // outside root"; an MCP server write_file followed a dangling link out of its sandbox the
  // same way. A file that does not exist yet is judged where it would be created.
  describe('files that do not exist yet are judged where they would be created', () => {
    it.each([
      ['dangling link into ~/.ssh', 'creatkey', 'blocked', at('.ssh/authorized_keys')],
      ['relative dangling link into ~/.ssh', 'creatrel', 'blocked', at('.ssh/new_key')],
      [
        'dangling link into a missing folder under ~/.aws',
        'creatdeep',
        'blocked',
        at('.aws/newdir/credentials'),
      ],
      [
        'new file under a link to ~/.ssh',
        'linkToSsh/authorized_keys',
        'blocked',
        at('.ssh/authorized_keys'),
      ],
      ['dangling link to an outside file', 'creatout', 'outside', path.join(outside, 'newfile3')],
      [
        'new file under a folder link pointing outside',
        'outdir/new.txt',
        'outside',
        path.join(outside, 'new.txt'),
      ],
      [
        'new nested file under a folder link pointing outside',
        'outdir/newdir/deeper/new.txt',
        'outside',
        path.join(outside, 'newdir/deeper/new.txt'),
      ],
      ['dangling link that stays inside', 'creatin', 'allowed', inProjects('created-inside.txt')],
    ] as const)('%s: ~/projects/%s is %s', (_label, relative, kind, realPath) => {
      expect(guard.judge(`~/projects/${relative}`)).toMatchObject({ kind, realPath });
    });

    it.each(['creatkey', 'creatrel', 'creatout', 'outdir/new.txt', 'linkToSsh/authorized_keys'])(
      'openChecked(O_CREAT) on ~/projects/%s creates nothing',
      (relative) => {
        const before = { ssh: fs.readdirSync(at('.ssh')), outside: fs.readdirSync(outside) };
        const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT;
        expect(() => openChecked(guard, `~/projects/${relative}`, flags)).toThrow(PathDeniedError);
        expect(fs.readdirSync(at('.ssh'))).toEqual(before.ssh);
        expect(fs.readdirSync(outside)).toEqual(before.outside);
      },
    );
  });

  // openat2 selftests check ELOOP for loops; a path judge that follows links by hand must not
  // spin on them either.
  describe('symlink loops', () => {
    const loops = ['loopA', 'loopB', 'self', 'sub/loopC', 'loopA/x', 'self/new.txt'];

    it.each(loops)('~/projects/%s is invalid: a symlink loop', (relative) => {
      const verdict = guard.judge(`~/projects/${relative}`);
      expect(verdict).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/loop/) });
      expect(() => readChecked(`~/projects/${relative}`)).toThrow(PathDeniedError);
    });

    it('1,000 judgements of loops all return', () => {
      for (let round = 0; round < 1000; round++) {
        const relative = loops[round % loops.length]!;
        expect(guard.judge(`~/projects/${relative}`).kind).toBe('invalid');
      }
    });
  });

  // POSIX path resolution: a symlink is resolved before the ".." that follows it, so
  // "linkToSsh/.." is the parent of ~/.ssh (the home), not ~/projects. A judge that
  // normalises ".." as text first (path.normalize / path.join) judges a different file than
  // the one the kernel opens.
  describe('"link/.." is resolved the way the kernel does', () => {
    it.each([
      ['absolute', `${projects}/linkToSsh/../x`, undefined],
      ['relative', 'linkToSsh/../x', projects],
      ['tilde', '~/projects/linkToSsh/../x', undefined],
    ])('%s: linkToSsh/../x is ~/x, outside', (_label, input, cwd) => {
      expect(guard.judge(input, cwd)).toMatchObject({ kind: 'outside', realPath: at('x') });
    });

    it.each([
      ['absolute', `${projects}/linkToSsh/../.aws/credentials`, undefined],
      ['relative', 'linkToSsh/../.aws/credentials', projects],
      ['tilde', '~/projects/linkToSsh/../.aws/credentials', undefined],
      ['tilde, relative link', '~/projects/sub/relssh/../.aws/credentials', undefined],
    ])('%s: linkToSsh/../.aws/credentials is the real AWS file, blocked', (_label, input, cwd) => {
      // What the OS opens for this spelling:
      const spelledOut = cwd ? `${cwd}/${input}` : input.replace(/^~/, home);
      expect(fs.readFileSync(spelledOut, 'utf8')).toBe(
        fs.readFileSync(at('.aws/credentials'), 'utf8'),
      );
      expect(guard.judge(input, cwd)).toMatchObject({
        kind: 'blocked',
        rule: '~/.aws',
        realPath: at('.aws/credentials'),
      });
    });

    // After ".." steps back out of a folder that does not exist yet, the rest of the path
    // exists again and its symlinks must be followed: once the agent creates "missing" (an
    // allowed mkdir inside ~/projects) this path is ~/.ssh/authorized_keys.
    it('missing/../linkToSsh/authorized_keys is judged through the link', () => {
      const input = `${projects}/missing/../linkToSsh/authorized_keys`;
      expect(guard.judge(input)).toMatchObject({
        kind: 'blocked',
        rule: '~/.ssh',
        realPath: at('.ssh/authorized_keys'),
      });
    });

    it('openChecked(O_TRUNC) of missing/../linkToSsh/id_rsa leaves the key intact', () => {
      const input = `${projects}/missing/../linkToSsh/id_rsa`;
      const flags = fs.constants.O_WRONLY | fs.constants.O_TRUNC;
      try {
        expect(() => openChecked(guard, input, flags)).toThrow(PathDeniedError);
        expect(fs.readFileSync(at('.ssh/id_rsa'), 'utf8')).toBe(fx.secretKey);
      } finally {
        fs.writeFileSync(at('.ssh/id_rsa'), fx.secretKey); // for the tests after this one
      }
    });

    it('openChecked(O_CREAT) of missing/../linkToSsh/planted creates nothing in ~/.ssh', () => {
      const input = `${projects}/missing/../linkToSsh/planted`;
      const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT;
      try {
        expect(() => openChecked(guard, input, flags)).toThrow(PathDeniedError);
        expect(fs.existsSync(at('.ssh/planted'))).toBe(false);
      } finally {
        fs.rmSync(at('.ssh/planted'), { force: true });
      }
    });
  });

  // A hardlink is the same file under a second name: no symlink to resolve, realpath stays
  // inside the workspace. Only the device + inode show it is ~/.ssh/id_rsa.
  describe('hardlinks', () => {
    fs.linkSync(at('.ssh/id_rsa'), inProjects('hardkey'));
    fs.linkSync(inProjects('secrets/token.txt'), inProjects('a/hardtoken'));
    fs.linkSync(at('.omnipalm/config.yaml'), inProjects('hardconfig'));
    fs.symlinkSync('hardkey', inProjects('hardkey-symlink'));
    fs.writeFileSync(inProjects('shared.txt'), 'shared between two allowed roots\n');
    fs.linkSync(inProjects('shared.txt'), path.join(work, 'shared.txt'));
    fs.writeFileSync(
      path.join(outside, 'o.txt'),
      'an outside file also linked into the workspace\n',
    );
    fs.linkSync(path.join(outside, 'o.txt'), inProjects('o-link.txt'));

    it.each([
      ['a hardlink to ~/.ssh/id_rsa', '~/projects/hardkey', '~/.ssh'],
      ['a symlink to that hardlink', '~/projects/hardkey-symlink', '~/.ssh'],
      ['a hardlink into ~/projects/secrets', '~/projects/a/hardtoken', '~/projects/secrets'],
      ["a hardlink to the agent's config", '~/projects/hardconfig', fx.omnipalmHome],
    ])('%s is blocked, by judge and by openChecked', (_label, input, rule) => {
      const verdict = guard.judge(input);
      expect(verdict).toMatchObject({
        kind: 'blocked',
        rule,
        reason: expect.stringMatching(/hardlink/),
      });
      expect(() => readChecked(input)).toThrow(PathDeniedError);
      expect(() => readChecked(input, fs.constants.O_WRONLY | fs.constants.O_APPEND)).toThrow(
        PathDeniedError,
      );
    });

    it('openChecked refuses the hardlink with a PathDeniedError that names the rule', () => {
      let denied: unknown;
      try {
        readChecked('~/projects/hardkey');
      } catch (error) {
        denied = error;
      }
      expect(denied).toBeInstanceOf(PathDeniedError);
      expect((denied as PathDeniedError).verdict).toMatchObject({
        kind: 'blocked',
        rule: '~/.ssh',
      });
      expect((denied as PathDeniedError).message).not.toContain(fx.secretKey.trim());
    });

    it.each([
      ['~/projects/shared.txt', '~/projects'],
      [path.join(work, 'shared.txt'), work],
      ['~/projects/o-link.txt', '~/projects'],
    ])('a hardlink between files outside blocked folders stays allowed: %s', (input, root) => {
      expect(guard.judge(input)).toMatchObject({ kind: 'allowed', root });
      expect(readChecked(input)).toMatch(/shared between two allowed roots|an outside file/);
    });
  });

  // Deleting, moving or sharing ~/projects takes ~/projects/secrets with it: the verdict for
  // the folder says so, so the enforcer can ask (or deny) instead of silently allowing it.
  describe('containsBlocked', () => {
    it.each([
      '~/projects',
      '~/projects/',
      `${projects}/.`,
      '~/projects/homelink/projects',
      'garbageself',
    ])('%j reports containsBlocked ~/projects/secrets', (input) => {
      expect(guard.judge(input, projects)).toEqual({
        kind: 'allowed',
        realPath: projects,
        root: '~/projects',
        containsBlocked: '~/projects/secrets',
      });
    });

    it.each(['~/projects/a', '~/projects/readme.md', work])(
      '%j contains nothing blocked',
      (input) => {
        const verdict = guard.judge(input);
        expect(verdict.kind).toBe('allowed');
        expect(verdict).not.toHaveProperty('containsBlocked');
      },
    );

    it('allowing the whole home still reports the blocked folders inside it', () => {
      const wholeHome = new PathGuard({ ...fx.options, allowed: ['~'] });
      const verdict = wholeHome.judge('~');
      expect(verdict).toMatchObject({ kind: 'allowed', root: '~' });
      expect(verdict.kind === 'allowed' && verdict.containsBlocked).toBeTruthy();
      expect(isBelow(at('.ssh'), home)).toBe(true);
    });
  });
});
