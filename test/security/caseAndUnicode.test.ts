// Case and Unicode: blocked paths fold case everywhere (a case-insensitive mount, or a user
// typing ~/.SSH, must not slip past ~/.ssh); allowed paths fold only where the file system
// does (macOS, Windows); and look-alike characters are different names, judged as what they are.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathGuard } from '../../src-main/policy/pathGuard.js';
import { CYRILLIC_SSH, makeHostileHome } from '../support/hostileHome.js';

const fx = makeHostileHome();
const { guard, projects, at } = fx;

describe.runIf(process.platform === 'linux')('case and Unicode', () => {
  // Homoglyph names (PayloadsAllTheThings' %uff0e / %u2215 "Unicode" traversal variants, and
  // IDN-style look-alikes): "~/.sѕh" with a Cyrillic "ѕ" is a different folder from ~/.ssh.
  // It must neither be blocked as if it were ~/.ssh nor, worse, make ~/.ssh look harmless.
  describe('look-alike characters are different names', () => {
    it.each([
      ['Cyrillic dze for "s"', CYRILLIC_SSH],
      ['Cyrillic dze twice', '.\u0455\u0455h'],
      ['fullwidth full stop', '\uff0essh'],
      ['one-dot leader', '\u2024ssh'],
      ['zero-width space after', '.ssh\u200b'],
      ['zero-width joiner inside', '.s\u200dsh'],
      ['combining accent', '.ssh\u0301'],
    ])('%s: ~/%s/id_rsa is outside, as the folder it really is', (_label, name) => {
      expect(guard.judge(`~/${name}/id_rsa`)).toMatchObject({
        kind: 'outside',
        realPath: at(`${name}/id_rsa`),
      });
      expect(guard.judge(`~/projects/${name}/id_rsa`)).toMatchObject({
        kind: 'allowed',
        realPath: path.join(projects, name, 'id_rsa'),
      });
    });

    it('the real ~/.sѕh folder exists and is still only "outside"', () => {
      expect(guard.judge(`~/${CYRILLIC_SSH}`)).toMatchObject({
        kind: 'outside',
        realPath: at(CYRILLIC_SSH),
      });
    });

    it('the real ~/.ssh is still blocked next to its look-alike', () => {
      expect(guard.judge('~/.ssh/id_rsa')).toMatchObject({ kind: 'blocked', rule: '~/.ssh' });
    });
  });

  // DESIGN.md §2: "case/Unicode handled as the file system does" — and blocked paths match
  // case-insensitively everywhere, because a Linux box can mount a case-folding file system
  // (vfat, ext4 casefold) and because over-blocking fails closed.
  describe('case variants of blocked paths are blocked, even on Linux', () => {
    it.each([
      ['~/.SSH/id_rsa', '~/.ssh'],
      ['~/.Ssh', '~/.ssh'],
      ['~/.sSH/config', '~/.ssh'],
      ['~/.AWS/credentials', '~/.aws'],
      ['~/.Aws', '~/.aws'],
      ['~/projects/SECRETS/token.txt', '~/projects/secrets'],
      ['~/projects/Secrets', '~/projects/secrets'],
      ['~/.OMNIPALM/config.yaml', fx.omnipalmHome],
      ['/PROC/self/environ', '/proc'],
      ['/Proc/self/root/etc/passwd', '/proc'],
    ])('%j is blocked by %s', (input, rule) => {
      expect(guard.judge(input)).toMatchObject({ kind: 'blocked', rule });
    });

    it('a relative climb into ../.SSH is blocked', () => {
      expect(guard.judge('../.SSH/id_rsa', projects)).toMatchObject({
        kind: 'blocked',
        rule: '~/.ssh',
      });
    });
  });

  // What the same configuration means on a case-folding file system. The real folders here
  // are on a case-sensitive Linux disk, so ~/PROJECTS does not exist: the guard must still
  // answer as macOS or Windows would open it.
  describe('case folding per platform', () => {
    const guards = {
      linux: new PathGuard({ ...fx.options, platform: 'linux' }),
      darwin: new PathGuard({ ...fx.options, platform: 'darwin' }),
      win32: new PathGuard({ ...fx.options, platform: 'win32' }),
    };

    it.each([
      ['~/PROJECTS/x', 'outside', 'allowed', 'allowed'],
      ['~/Projects/readme.md', 'outside', 'allowed', 'allowed'],
      ['~/projects/x', 'allowed', 'allowed', 'allowed'],
      [`${path.dirname(fx.work)}/WORK/notes.txt`, 'outside', 'allowed', 'allowed'],
      ['~/PROJECTS-evil/x', 'outside', 'outside', 'outside'],
      ['~/.SSH/id_rsa', 'blocked', 'blocked', 'blocked'],
      ['~/PROJECTS/SECRETS/token.txt', 'blocked', 'blocked', 'blocked'],
      [`~/${CYRILLIC_SSH}/id_rsa`, 'outside', 'outside', 'outside'],
    ] as const)('%j: linux %s, darwin %s, win32 %s', (input, linux, darwin, win32) => {
      expect(guards.linux.judge(input).kind).toBe(linux);
      expect(guards.darwin.judge(input).kind).toBe(darwin);
      expect(guards.win32.judge(input).kind).toBe(win32);
    });

    it('on darwin, ~/PROJECTS/x is allowed under the configured root', () => {
      expect(guards.darwin.judge('~/PROJECTS/x')).toMatchObject({
        kind: 'allowed',
        root: '~/projects',
      });
    });

    // macOS (HFS+/APFS) also treats NFC "é" and NFD "e + ◌́" as one name.
    it.each([
      ['linux', 'outside'],
      ['darwin', 'allowed'],
    ] as const)('an NFD spelling of an NFC allowed folder on %s is %s', (platform, kind) => {
      const cafe = new PathGuard({
        ...fx.options,
        allowed: ['~/Caf\u00e9'],
        blocked: ['~/Priv\u00e9'],
        platform,
      });
      expect(cafe.judge('~/Cafe\u0301/menu.txt').kind).toBe(kind);
      expect(cafe.judge('~/Prive\u0301/diary.txt').kind).toBe('blocked');
      expect(cafe.judge('~/PRIVE\u0301/diary.txt').kind).toBe('blocked');
    });
  });
});
