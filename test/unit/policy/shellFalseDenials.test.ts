// Issue 19, item 2: fewer false denials. Option values are not paths, quoted tildes are
// literal, `~user` is that user's home, and a denial names the word that caused it. Each rule
// with the command that shows it, through the real bash parser, a real PathGuard and a real
// PolicyEnforcer, with confirmations for execute_shell off and the sandbox on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHome } from '../../../src-main/config/home.js';
import { configSchema } from '../../../src-main/config/schema.js';
import { rateLimitsOf } from '../../../src-main/policy/index.js';
import { PathGuard } from '../../../src-main/policy/pathGuard.js';
import { PolicyEnforcer } from '../../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../../src-main/policy/shellAnalysis.js';
import { makeTempFolder } from '../../support/tempFolders.js';

let analyzer: ShellAnalyzer;
let homeDir: string;
let work: string;
let policy: PolicyEnforcer;
const limiters: RateLimiter[] = [];

/** root's home from /etc/passwd, as getpwnam gives it. */
const rootHome = fs
  .readFileSync('/etc/passwd', 'utf8')
  .split('\n')
  .find((line) => line.startsWith('root:'))
  ?.split(':')[5];

beforeAll(async () => {
  analyzer = await ShellAnalyzer.create();
  homeDir = path.join(makeTempFolder('omnipalm-denials-'), 'home');
  work = path.join(homeDir, 'projects', 'app');
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(path.join(homeDir, '.ssh'));
  fs.writeFileSync(path.join(homeDir, '.ssh', 'id_rsa'), 'PRIVATE KEY');
  fs.mkdirSync(path.join(homeDir, '.omnipalm'));
  policy = enforcer();
});
afterAll(() => limiters.forEach((limiter) => limiter.close()));

function enforcer(): PolicyEnforcer {
  const config = configSchema.parse({
    security: {
      allowed_paths: ['~/projects'],
      blocked_paths: ['~/.ssh', ...(rootHome ? [path.join(rootHome, '.ssh')] : [])],
      require_confirmation: true,
      confirm_operations: [],
    },
  });
  const rateLimits = new RateLimiter({
    databaseFile: path.join(makeTempFolder(), 'rate.sqlite'),
    limits: () => rateLimitsOf(config),
  });
  limiters.push(rateLimits);
  return new PolicyEnforcer({
    config,
    homeDir,
    omnipalmHome: path.join(homeDir, '.omnipalm'),
    shellAnalyzer: analyzer,
    rateLimits,
    sandboxCanMakeReadOnly: true,
  });
}

const check = (command: string) =>
  policy.decide({ op: 'execute_shell', command, cwd: work }, { dryRun: true });

/** What the command reads, writes and deletes, as `kind: path, path` lines. */
function touched(command: string): string[] {
  const analysis = analyzer.analyze(command);
  if (!analysis.ok) throw new Error(analysis.error);
  return analysis.operations
    .filter((operation) => operation.paths.length > 0)
    .map((operation) => `${operation.kind}: ${operation.paths.join(', ')}`);
}

describe('an empty word is never a path', () => {
  it.each([
    'paste -d "" - -',
    'cut -d "" -f 1 notes.txt',
    "awk -F '' '{ print $1 }' notes.txt",
    'sort -t "" -k 1 notes.txt',
    'cat ""',
    'convert-thing -x "" ./notes.txt',
  ])('%s runs', (command) => {
    const decision = check(command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it('is judged by no program, known or guessed', () => {
    expect(touched('cat "" notes.txt')).toEqual(['read: notes.txt']);
    expect(touched("rm '' build.log")).toEqual(['delete: build.log']);
    expect(touched('convert-thing "" ./in.txt')).toEqual(['read: ./in.txt']);
  });
});

describe('/dev/null and the standard streams are not files, for any program', () => {
  it.each([
    'curl -s -o /dev/null -w "%{http_code}" https://example.com',
    'wget -q -O /dev/null https://example.com',
    'dd if=/dev/zero of=/dev/null bs=1M count=10',
    'echo hi | tee /dev/stderr',
    'sort -o /dev/stdout notes.txt',
    'cp /dev/null notes.txt',
    'cat /dev/stdin',
  ])('%s runs', (command) => {
    const decision = check(command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it.each([
    'mv notes.txt /dev/null',
    'rm -f /dev/null',
    'chmod 666 /dev/null',
    'ln -sf x /dev/null',
  ])('%s still denies: it replaces or changes the device', (command) => {
    expect(check(command)).toMatchObject({ decision: 'deny', rule: 'security.allowed_paths' });
  });
});

describe("/proc's kernel-wide facts are readable; the rest of /proc stays blocked", () => {
  it.runIf(process.platform === 'linux')('cat /proc/cpuinfo runs', () => {
    expect(check('grep -c processor /proc/cpuinfo')).toMatchObject({ decision: 'allow' });
    expect(check('cat /proc/meminfo /proc/loadavg')).toMatchObject({ decision: 'allow' });
    for (const command of [
      'cat /proc/self/environ',
      'cat /proc/1/environ',
      'cat /proc/self/stat',
    ]) {
      expect(check(command), command).toMatchObject({
        decision: 'deny',
        rule: 'builtin.blocked_paths',
      });
    }
  });
});

describe('option values are not paths', () => {
  it.each([
    ['paste -d , a.txt b.txt', ['read: a.txt, b.txt']],
    ['paste --delimiters=/ a.txt b.txt', ['read: a.txt, b.txt']],
    ['cut -d / -f 2 paths.txt', ['read: paths.txt']],
    ['cut --output-delimiter / -f 1,2 data.csv', ['read: data.csv']],
    ['sort -t / -k 2 -o sorted.txt list.txt', ['read: list.txt', 'write: sorted.txt']],
    ['sort -T /tmp/sortdir big.txt', ['read: big.txt']],
    ['join -t / -1 2 -2 1 -o 1.1 a.txt b.txt', ['read: a.txt, b.txt']],
    ['column -s / -t paths.txt', ['read: paths.txt']],
    ['tr / _', []],
    ["printf '%s/%s\\n' ~/a ~/b", []],
    ['date -d "2 days ago" +%Y/%m/%d', []],
    ['date -r notes.txt +%F', ['read: notes.txt']],
    ['ls --format long --sort size --time-style +%Y/%m src', ['read: src']],
    ['ls -I ~/skip --ignore ./also src', ['read: src']],
    ['du --exclude ./node_modules -sh .', ['read: .']],
    ['tar --exclude ./.git -czf app.tgz src', ['write: app.tgz', 'read: src']],
    ["grep -r --include '*.ts' --exclude-dir ./dist --exclude ./x TODO src", ['read: src']],
    ['head -n 5 notes.txt', ['read: notes.txt']],
    ['tail -n +2 -s 1 data.csv', ['read: data.csv']],
    ['split -b 1M -a 3 big.bin parts/', ['read: big.bin', 'write: parts/']],
    ['split -l 100 big.txt', ['read: big.txt', 'write: .']],
    ["awk -F / -v dir=./out '{ print $2 }' paths.txt", ['read: paths.txt']],
    ["sed -e 's/a/b/' -f ./script.sed in.txt", ['read: in.txt', 'read: ./script.sed']],
    ["stat -c '%n/%s' notes.txt", ['read: notes.txt']],
    ['od -A x -t x1z -w16 notes.txt', ['read: notes.txt']],
    ['nl -s ./ -w 3 notes.txt', ['read: notes.txt']],
    ['fold -w 80 notes.txt', ['read: notes.txt']],
    ['hexdump -n 16 -s 0 -f ./fmt notes.txt', ['read: notes.txt', 'read: ./fmt']],
    ['tree -L 2 -I ./node_modules src', ['read: src']],
  ])('%s', (command, expected) => {
    expect(touched(command)).toEqual(expected);
  });

  it.each([
    ['report --format=%s ./in.txt', ['read: ./in.txt']],
    ["report --format '%h/%f' ./in.txt", ['read: ./in.txt']],
    ["report -printf '%p\\n'", []],
    // A folder before the first directive is where the files go: that folder is judged.
    ['report --out=logs/%F.log', ['read: logs/']],
    ['report --out ~/.ssh/key-%d', ['read: ~/.ssh/']],
  ])('an unknown program given a format: %s', (command, expected) => {
    expect(touched(command)).toEqual(expected);
  });

  it.each([
    ['git commit -am "~/.ssh/config: document the hosts" ./a.txt', ['read: ./a.txt']],
    ['git commit --message="~/.ssh: fix" -F ./msg.txt', ['read: ./msg.txt']],
    ['git tag -a v1 -m "~/release"', []],
    ['git log --pretty=format:"%h/%s" ./src', ['read: ./src']],
  ])('a git message or format is not a path: %s', (command, expected) => {
    expect(touched(command)).toEqual(expected);
  });

  it('an unknown program given data too long to name a file', () => {
    const blob = `${'QUJD'.repeat(80)}/${'REVG'.repeat(80)}==`;
    expect(touched(`decode-thing ${blob}`)).toEqual([]);
    expect(check(`decode-thing ${blob}`)).toMatchObject({ decision: 'allow' });
  });

  it("find's tests are not paths; its starting points are", () => {
    expect(
      touched("find . -name '*.c' -path './src/*' -type f -mtime -1 -size +1k -perm 644"),
    ).toEqual(['read: .']);
    expect(touched("find src -printf '%p\\n'")).toEqual(['read: src']);
  });

  it('a command that was denied for an option value runs', () => {
    // `-d $'\n'` used to be judged as a file whose name holds a newline: invalid, denied.
    expect(check("paste -s -d $'\\n' notes.txt")).toMatchObject({ decision: 'allow' });
    expect(check("report --sep $'\\n' ./notes.txt")).toMatchObject({ decision: 'allow' });
    expect(check('sort -t / -k 2 -o ../out.txt list.txt')).toMatchObject({ decision: 'allow' });
  });
});

describe('a quoted tilde is literal, as in bash', () => {
  it.each([
    ['cat "~/x"', 'read: ./~/x'],
    ["cat '~/.ssh/id_rsa'", 'read: ./~/.ssh/id_rsa'],
    ['cat \\~/.ssh/id_rsa', 'read: ./~/.ssh/id_rsa'],
    ["ls '~'", 'read: ./~'],
    ['cat ~"root"/x', 'read: ./~root/x'],
    ['cat ~root"/x"', 'read: ./~root/x'],
    ['cat ~/"my notes"/x', 'read: ~/my notes/x'],
    ['cat ~/x', 'read: ~/x'],
  ])('%s → %s', (command, expected) => {
    expect(touched(command)).toEqual([expected]);
  });

  it('but a program that expands ~ itself is judged at the home folder too', () => {
    // OpenSSH expands ~ in -i and -F; a program nobody described might.
    for (const command of ["ssh -i '~/.ssh/id_rsa' host", 'scp -i "~/.ssh/id_rsa" a host:b']) {
      expect(check(command), command).toMatchObject({
        decision: 'deny',
        rule: 'security.blocked_paths',
      });
    }
    expect(touched("my-tool '~/.ssh/config'")).toEqual(['read: ./~/.ssh/config, ~/.ssh/config']);
  });

  it('reads a folder named ~ here, not the home folder', () => {
    expect(check("cat '~/.ssh/id_rsa'")).toMatchObject({ decision: 'allow' });
    expect(check('rm -r "~/build"')).toMatchObject({ decision: 'allow' });
    expect(check('cat ~/.ssh/id_rsa')).toMatchObject({
      decision: 'deny',
      rule: 'security.blocked_paths',
    });
  });
});

describe('~user is that user’s home, through the password database', () => {
  it.runIf(rootHome)('~root is root’s home', () => {
    expect(userHome('root')).toBe(rootHome);
    expect(touched('cat ~root/.profile')).toEqual([`read: ${path.join(rootHome!, '.profile')}`]);
    expect(touched('ls ~root')).toEqual([`read: ${rootHome}`]);
    expect(check('cat ~root/.ssh/id_rsa')).toMatchObject({
      decision: 'deny',
      rule: 'security.blocked_paths',
    });
    expect(check('touch ~root/x')).toMatchObject({
      decision: 'deny',
      rule: 'security.allowed_paths',
    });
  });

  it('the current user by name is their home', () => {
    const me = os.userInfo();
    expect(userHome(me.username)).toBe(me.homedir);
  });

  it('an unknown user keeps the word literal: a relative path, as bash leaves it', () => {
    expect(userHome('no-such-user-omnipalm')).toBeUndefined();
    expect(userHome('no-such-user-omnipalm', 'darwin')).toBeUndefined();
    expect(touched('cat ~no-such-user-omnipalm/x')).toEqual(['read: ./~no-such-user-omnipalm/x']);
    expect(check('touch ~no-such-user-omnipalm')).toMatchObject({ decision: 'allow' });
  });

  it('~+ is the working folder; ~- (the previous one) is refused, naming it', () => {
    expect(touched('cat ~+/notes.txt')).toEqual(['read: ./notes.txt']);
    expect(check('cat ~-/notes.txt')).toMatchObject({
      decision: 'deny',
      reason: expect.stringContaining('"~-/notes.txt"'),
    });
  });
});

describe('every denial names the word that caused it', () => {
  it.each([
    [
      'cat ~/.ssh/id_rsa',
      'security.blocked_paths',
      '"~/.ssh/id_rsa" (read by cat) is inside blocked path',
    ],
    [
      'echo x > /etc/evil.conf',
      'security.allowed_paths',
      '"/etc/evil.conf" (written by echo) is outside',
    ],
    ['rm ../../../x', 'security.allowed_paths', '"../../../x" (deleted by rm) is outside'],
    ["cat $'a\\nb/c'", 'input', '"a\\nb/c" contains a NUL or newline'],
  ])('%s', (command, rule, words) => {
    const decision = check(command);
    expect(decision).toMatchObject({ decision: 'deny', rule });
    expect(decision.reason).toContain(words);
  });

  it('the path guard quotes the path as written, and where a symlink really leads', () => {
    const guard = new PathGuard({
      allowed: ['~/projects'],
      blocked: ['~/.ssh'],
      homeDir,
      omnipalmHome: path.join(homeDir, '.omnipalm'),
    });
    const link = path.join(work, 'key');
    fs.symlinkSync(path.join(homeDir, '.ssh', 'id_rsa'), link);
    expect(guard.judge('./key', work)).toMatchObject({
      kind: 'blocked',
      reason: `"./key" (really ${path.join(homeDir, '.ssh', 'id_rsa')}) is inside blocked path ~/.ssh`,
    });
    expect(guard.judge('~/.ssh/id_rsa')).toMatchObject({
      reason: '"~/.ssh/id_rsa" is inside blocked path ~/.ssh',
    });
    expect(guard.judge('/etc/passwd')).toMatchObject({
      reason: '"/etc/passwd" is outside the allowed paths (~/projects)',
    });
    expect(guard.judge('notes.txt')).toMatchObject({
      kind: 'invalid',
      reason: '"notes.txt": it is relative and there is no working folder to resolve it in',
    });
    expect(guard.judge('')).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('""'),
    });
  });
});
