// Path-traversal payloads against PathGuard.judge: every spelling of "climb out of the
// workspace" must be judged by where the OS would really land, literal look-alikes must stay
// what they are (plain names inside the workspace), and look-alike neighbours of an allowed
// folder must not pass a prefix check. Linux semantics: a case-sensitive file system and /proc.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openChecked, PathDeniedError } from '../../src-main/policy/openChecked.js';
import { isBelow, makeHostileHome } from '../support/hostileHome.js';

const fx = makeHostileHome();
const { guard, home, projects, work, tmp, at } = fx;
const deeper = path.join(projects, 'sub', 'deeper');

function readChecked(input: string, cwd?: string): string {
  const { fd } = openChecked(guard, input, fs.constants.O_RDONLY, 0o600, cwd);
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

describe.runIf(process.platform === 'linux')('path traversal payloads', () => {
  // Source: PayloadsAllTheThings, "Directory Traversal" (swisskyrepo/PayloadsAllTheThings,
  // Directory Traversal/README.md): ../, ..\, ....//, ..././, %2e%2e%2f, %252e%252e%252f,
  // %c0%ae%c0%ae%c0%af, %uff0e%uff0e%u2215, and "/var/www/images/../../../etc/passwd" (a path
  // that starts with the expected base folder, then climbs out). Real "..": blocked by target.
  describe('real ".." climbs are judged where they land', () => {
    it.each([
      ['one level up from the workspace', '../.ssh/id_rsa', projects, '~/.ssh', '.ssh/id_rsa'],
      ['two levels up', '../../.ssh/id_rsa', path.join(projects, 'a'), '~/.ssh', '.ssh/id_rsa'],
      ['deep climb', '../../../.aws/credentials', deeper, '~/.aws', '.aws/credentials'],
      ['climb to the folder itself', '../.ssh', projects, '~/.ssh', '.ssh'],
      ['climb with trailing slash', '../.ssh/', projects, '~/.ssh', '.ssh'],
      ['doubled slashes', '..//.ssh//id_rsa', projects, '~/.ssh', '.ssh/id_rsa'],
      ['"./" noise', './.././.ssh/./id_rsa', projects, '~/.ssh', '.ssh/id_rsa'],
      ['"../" then back in', '../projects/../.ssh/id_rsa', projects, '~/.ssh', '.ssh/id_rsa'],
      [
        'far too many "../" then down',
        `${'../'.repeat(40)}${home.slice(1)}/.ssh/id_rsa`,
        projects,
        '~/.ssh',
        '.ssh/id_rsa',
      ],
      ['tilde, then up', '~/projects/../.ssh/id_rsa', undefined, '~/.ssh', '.ssh/id_rsa'],
      ['tilde, "." then up', '~/projects/./../.ssh', undefined, '~/.ssh', '.ssh'],
      [
        'tilde, down then two up',
        '~/projects/a/../../.aws/credentials',
        undefined,
        '~/.aws',
        '.aws/credentials',
      ],
      ['tilde, doubled slashes', '~/projects/..//.ssh//id_rsa', undefined, '~/.ssh', '.ssh/id_rsa'],
      ['tilde, trailing "/."', '~/projects/../.ssh/.', undefined, '~/.ssh', '.ssh'],
      [
        'expected base folder, then out',
        `${projects}/../.ssh/id_rsa`,
        undefined,
        '~/.ssh',
        '.ssh/id_rsa',
      ],
      [
        'second root, then out',
        `${work}/../home/.aws/credentials`,
        undefined,
        '~/.aws',
        '.aws/credentials',
      ],
      [
        'into a blocked folder inside the workspace',
        'a/../secrets/token.txt',
        projects,
        '~/projects/secrets',
        'projects/secrets/token.txt',
      ],
      [
        "the agent's own home",
        '~/projects/../.omnipalm/config.yaml',
        undefined,
        fx.omnipalmHome,
        '.omnipalm/config.yaml',
      ],
    ])('%s: %j is blocked by %s', (_label, input, cwd, rule, realRelative) => {
      const verdict = guard.judge(input, cwd);
      expect(verdict).toMatchObject({ kind: 'blocked', rule, realPath: at(realRelative) });
      expect(() => readChecked(input, cwd)).toThrow(PathDeniedError);
    });

    it.each([
      ['absolute path', '/etc/passwd', undefined, '/etc/passwd'],
      ['relative climb to /etc', `${'../'.repeat(30)}etc/passwd`, projects, '/etc/passwd'],
      ['tilde climb to /etc', `~/projects/${'../'.repeat(30)}etc/passwd`, undefined, '/etc/passwd'],
      ['the home folder itself', '~', undefined, home],
      ['the parent of the workspace', '~/projects/..', undefined, home],
      ['a sibling that does not exist', '../not-there.txt', projects, at('not-there.txt')],
      ['the temp folder above both roots', `${work}/..`, undefined, tmp],
    ])('%s: %j is outside', (_label, input, cwd, realPath) => {
      expect(guard.judge(input, cwd)).toMatchObject({ kind: 'outside', realPath });
      expect(() => readChecked(input, cwd)).toThrow(PathDeniedError);
    });
  });

  // Same source: encoded, doubled and backslashed dots are what a web server might decode.
  // A file system does not decode anything: on Linux "..\" and "%2e%2e" are ordinary names,
  // so these paths are new files inside the workspace, not a way out.
  describe('encoded and doubled dots are literal names on Linux', () => {
    it.each([
      ['backslash dots', '..\\.ssh\\id_rsa'],
      ['backslash climb', '..\\..\\..\\etc\\passwd'],
      ['mixed separators', '..\\/.ssh/id_rsa'],
      ['four dots, double slash', '....//.ssh/id_rsa'],
      ['nested four dots', '....//....//....//etc/passwd'],
      ['three dots and a dot', '..././.ssh/id_rsa'],
      ['URL-encoded slash', '..%2f.ssh%2fid_rsa'],
      ['URL-encoded dots', '%2e%2e/.ssh/id_rsa'],
      ['fully URL-encoded', '%2e%2e%2f%2e%2e%2f.ssh%2fid_rsa'],
      ['double URL-encoded', '%252e%252e%252f.ssh%252fid_rsa'],
      ['overlong UTF-8 dots', '%c0%ae%c0%ae%c0%af.ssh'],
      ['%u-encoded fullwidth dots', '%uff0e%uff0e%u2215.ssh'],
      ['decoded fullwidth dots', '\uff0e\uff0e/.ssh/id_rsa'],
      ['one-dot leaders', '\u2024\u2024/.ssh/id_rsa'],
      ['literal %00', '..%00/.ssh/id_rsa'],
      ['dot dot space', '.. /.ssh/id_rsa'],
      ['space dot dot', ' ../.ssh/id_rsa'],
    ])('%s: %j stays inside ~/projects', (_label, input) => {
      const realPath = path.join(projects, input);
      expect(isBelow(realPath, projects)).toBe(true);
      expect(guard.judge(input, projects)).toMatchObject({
        kind: 'allowed',
        root: '~/projects',
        realPath,
      });
      expect(guard.judge(`~/projects/${input}`)).toMatchObject({ kind: 'allowed', realPath });
    });

    it('a file really named "..\\..\\.ssh\\id_rsa" is opened as itself', () => {
      const name = '..\\..\\.ssh\\id_rsa';
      fs.writeFileSync(path.join(projects, name), 'just a file with backslashes in its name\n');
      expect(readChecked(name, projects)).toBe('just a file with backslashes in its name\n');
    });
  });

  // PayloadsAllTheThings' "../../../etc/passwd%00.jpg" null-byte truncation. A NUL, CR or LF
  // can cut a path short in C code or forge a second line in a log or a confirmation prompt.
  describe('NUL bytes, newlines and malformed paths are refused with a clear reason', () => {
    it.each([
      ['NUL after a blocked file', '~/.ssh/id_rsa\0', /NUL or newline/],
      ['NUL extension trick', '~/projects/readme.md\0.png', /NUL or newline/],
      ['NUL mid-climb', '~/projects/\0/../../.ssh/id_rsa', /NUL or newline/],
      ['newline', '~/projects/a\n/../../.ssh/id_rsa', /NUL or newline/],
      ['carriage return', '~/projects/readme.md\r', /NUL or newline/],
      ['empty path', '', /empty/],
      ["another user's home", '~root/.ssh/id_rsa', /only ~ and ~\/… are supported/],
      ['a relative path with no working folder', 'readme.md', /relative/],
      ['a file used as a folder', '~/projects/readme.md/x', /ENOTDIR/],
      ['a trailing slash on a file', '~/projects/readme.md/', /ENOTDIR/],
    ])('%s: %j', (_label, input, reason) => {
      const verdict = guard.judge(input);
      expect(verdict.kind).toBe('invalid');
      expect(verdict.kind === 'invalid' && verdict.reason).toMatch(reason);
      expect(() => readChecked(input)).toThrow(PathDeniedError);
    });
  });

  // Long payloads (PayloadsAllTheThings' "overflow short filters": dozens of "../") and paths
  // past NAME_MAX / PATH_MAX. Whatever the answer, it must never be "allowed, somewhere else".
  describe('very long paths never escape', () => {
    it('a 300-character name is invalid (ENAMETOOLONG)', () => {
      const verdict = guard.judge(`~/projects/${'a'.repeat(300)}`);
      expect(verdict).toMatchObject({
        kind: 'invalid',
        reason: expect.stringMatching(/ENAMETOOLONG/),
      });
    });

    it('a 6,000-character path inside the workspace stays inside, and cannot be opened', () => {
      const input = `~/projects/${'a/'.repeat(3000)}x`;
      const verdict = guard.judge(input);
      expect(['allowed', 'invalid']).toContain(verdict.kind);
      if (verdict.kind === 'allowed') expect(isBelow(verdict.realPath, projects)).toBe(true);
      expect(() => readChecked(input)).toThrow();
    });

    // judge() runs synchronously on the main process: a path the model makes up must not be
    // able to freeze the app. Nothing longer than PATH_MAX (4,096) can be opened anyway, so a
    // 24,000-character path has no reason to cost more than a few milliseconds.
    it('a 24,000-character path is judged in well under a second', () => {
      const input = `~/projects/${'a/'.repeat(12_000)}x`;
      const started = performance.now();
      const verdict = guard.judge(input);
      const elapsed = performance.now() - started;
      expect(['allowed', 'invalid']).toContain(verdict.kind);
      expect(elapsed, `judge took ${Math.round(elapsed)} ms`).toBeLessThan(500);
    });

    it.each([
      [
        'tilde, 1,200 "x/../" then out',
        `~/projects/${'x/../'.repeat(1200)}../.ssh/id_rsa`,
        undefined,
        // Longer than PATH_MAX: refused as invalid before any resolution.
        ['blocked', 'invalid'],
      ],
      [
        'relative, 1,200 "a/../" then out',
        `${'a/../'.repeat(1200)}../.ssh/id_rsa`,
        projects,
        ['blocked', 'invalid'],
      ],
      [
        'relative, 2,000 "../"',
        `${'../'.repeat(2000)}etc/passwd`,
        projects,
        ['outside', 'invalid'],
      ],
      [
        'absolute, 1,000 "/./"',
        `${projects}${'/.'.repeat(1000)}/../.aws/credentials`,
        undefined,
        ['blocked', 'invalid'],
      ],
    ])('%s', (_label, input, cwd, kinds) => {
      expect(kinds).toContain(guard.judge(input, cwd).kind);
      expect(() => readChecked(input, cwd)).toThrow();
    });
  });

  // Linux openat2 selftests (tools/testing/selftests/openat2/resolve_test.c): "procroot ->
  // /proc/self/root" and the "[no_xdev] cross through magic-link to self/root | self/cwd"
  // cases. /proc magic links jump anywhere, so /proc is blocked outright.
  describe('/proc magic links', () => {
    it.each([
      ['self/root', `/proc/self/root${at('.ssh/id_rsa')}`],
      ['thread-self/root', `/proc/thread-self/root${at('.ssh/id_rsa')}`],
      ['<pid>/root', `/proc/${process.pid}/root${at('.aws/credentials')}`],
      ['self/root twice', `/proc/self/root/proc/self/root${at('.ssh/id_rsa')}`],
      ['self/cwd', `/proc/self/cwd/${path.relative(process.cwd(), at('.ssh/id_rsa'))}`],
      ['self/root to /etc', '/proc/self/root/etc/passwd'],
      ['self/root to an allowed file (still /proc)', `/proc/self/root${projects}/readme.md`],
      ['own environment', '/proc/self/environ'],
      ['own memory', '/proc/self/mem'],
      ['another process', '/proc/1/environ'],
    ])('%s is blocked', (_label, input) => {
      expect(guard.judge(input).kind).toBe('blocked');
      expect(() => readChecked(input)).toThrow(PathDeniedError);
    });

    it('an open descriptor of ~/.ssh/id_rsa cannot be reached through /proc/self/fd or /dev/fd', () => {
      const fd = fs.openSync(at('.ssh/id_rsa'), 'r');
      try {
        for (const input of [
          `/proc/self/fd/${fd}`,
          `/proc/${process.pid}/fd/${fd}`,
          `/proc/thread-self/fd/${fd}`,
          `/dev/fd/${fd}`,
          `/proc/self/fdinfo/${fd}`,
        ]) {
          expect(guard.judge(input).kind, input).toBe('blocked');
          expect(() => readChecked(input), input).toThrow(PathDeniedError);
        }
      } finally {
        fs.closeSync(fd);
      }
    });
  });

  describe('legitimate names inside the workspace still work', () => {
    // In a folder of their own, so "..." or "%2e%2e" here do not turn into files under the
    // literal payloads above.
    const named = path.join(projects, 'names');
    const names = [
      '..foo',
      'foo..',
      '...',
      'a..b',
      '.hidden',
      '.aws',
      'name with spaces.txt',
      ' leading space',
      'trailing space ',
      'tab\there',
      'ünïcødé.txt',
      '日本語.md',
      'emoji 😀.txt',
      '~backup',
      '-rf',
      '$HOME',
      '%2e%2e',
      'back\\slash',
      'quote\'and"double',
    ];
    fs.mkdirSync(path.join(named, '.ssh'), { recursive: true });
    for (const name of names) fs.writeFileSync(path.join(named, name), `content of ${name}\n`);
    fs.writeFileSync(path.join(named, '.ssh', 'id_rsa'), 'a test key of the project\n');

    it.each(names)('%j is allowed and opens', (name) => {
      expect(guard.judge(`~/projects/names/${name}`)).toMatchObject({
        kind: 'allowed',
        root: '~/projects',
        realPath: path.join(named, name),
      });
      expect(readChecked(`./${name}`, named)).toBe(`content of ${name}\n`);
    });

    it('a folder named .ssh inside the workspace is not ~/.ssh', () => {
      expect(guard.judge('~/projects/names/.ssh/id_rsa')).toMatchObject({ kind: 'allowed' });
      expect(readChecked('~/projects/names/.ssh/id_rsa')).toBe('a test key of the project\n');
    });

    it.each([
      ['~/projects/', projects, '~/projects'],
      ['~/projects//', projects, '~/projects'],
      ['~/projects/.', projects, '~/projects'],
      [`${work}/`, work, work],
      [`${work}/.`, work, work],
      [`${work}//notes.txt`, path.join(work, 'notes.txt'), work],
      ['~/projects/a/', path.join(projects, 'a'), '~/projects'],
      ['~/projects/a/./notes.txt', path.join(projects, 'a', 'notes.txt'), '~/projects'],
      ['~/projects/sub/deeper/../deeper/file.txt', path.join(deeper, 'file.txt'), '~/projects'],
      [
        '~/projects/new-file-not-yet-written.txt',
        path.join(projects, 'new-file-not-yet-written.txt'),
        '~/projects',
      ],
    ])('%j is allowed', (input, realPath, root) => {
      expect(guard.judge(input)).toMatchObject({ kind: 'allowed', realPath, root });
    });
  });

  // CVE-2025-53110 (GHSA-hc55-p739-j48w), modelcontextprotocol/servers filesystem server: an
  // allowed-directory check by string prefix let "/allowed_dir_evil" pass for "/allowed_dir".
  // The same mistake on the blocked list would let "~/.ssh-backup" dodge "~/.ssh" (harmless)
  // or let "~/projects/secrets-public" be over-blocked; both sides must compare per component.
  describe('prefix confusion (CVE-2025-53110)', () => {
    it.each([
      ['~/projects-evil/x', 'outside'],
      ['~/projects-evil', 'outside'],
      ['~/projectsX', 'outside'],
      ['~/proj', 'outside'],
      ['~/proj/x', 'outside'],
      ['~/projects/../projects-evil/x', 'outside'],
      [`${tmp}/work2`, 'outside'],
      [`${tmp}/work2/x`, 'outside'],
      [`${tmp}/work-evil/new.txt`, 'outside'],
      [`${tmp}/wor`, 'outside'],
      ['~/.ssh-backup/id_rsa', 'outside'],
      ['~/.sshx', 'outside'],
      ['~/.aws2/credentials', 'outside'],
      ['~/projects', 'allowed'],
      [`${tmp}/work`, 'allowed'],
      [`${home}/projects-evil/../projects/readme.md`, 'allowed'],
      ['~/projects/secrets-public/x', 'allowed'],
      ['~/projects/secretsX', 'allowed'],
      ['~/projects/secrets', 'blocked'],
      ['~/projects/secrets/', 'blocked'],
    ] as const)('%j is %s', (input, kind) => {
      expect(guard.judge(input).kind).toBe(kind);
    });
  });
});
