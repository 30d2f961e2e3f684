// The races of openCheckedRace.test.ts with the attacker's move forced at one exact instant,
// so each interleaving is tested every run instead of once in a few thousand tries: the
// attacker acts inside fs.openSync (just after the policy check) and inside the
// readlink("/proc/self/fd/N") that starts the check of the opened descriptor.
//
// Sources: CWE-367 (TOCTOU); Linux openat2 selftests (tools/testing/selftests/openat2/,
// resolve_test.c and rename_attack_test.c) for the swapped-component attacks; and
// proc(5): /proc/self/fd/N of a file whose name was removed reads "<path> (deleted)".
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openChecked, PathDeniedError } from '../../src-main/policy/openChecked.js';
import { makeHostileHome } from '../support/hostileHome.js';

const DECOY = 'decoy: an ordinary project file\n';
const realOpenSync = fs.openSync;
const realReadlinkSync = fs.readlinkSync;

/**
 * Runs `attack` once, inside the next fs.openSync call (or the next one whose path ends with
 * `pathSuffix`), just before the real open. openChecked opens the checked folder first and
 * then the file through it, so the suffix picks which of the two moments is attacked.
 */
function attackAtOpen(attack: () => void, pathSuffix?: string): void {
  let done = false;
  vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
    if (!done && (pathSuffix === undefined || String(args[0]).endsWith(pathSuffix))) {
      done = true;
      attack();
    }
    return realOpenSync(...args);
  });
}

/** Runs `attack` once, just before openChecked reads back the opened *file's* descriptor path. */
function attackAtDescriptorCheck(attack: () => void): void {
  let done = false;
  vi.spyOn(fs, 'readlinkSync').mockImplementation(((link: fs.PathLike, options?: unknown) => {
    const match = /^\/proc\/self\/fd\/(\d+)$/.exec(String(link));
    if (!done && match && fs.fstatSync(Number(match[1])).isFile()) {
      done = true;
      attack();
    }
    return realReadlinkSync(link, options as fs.EncodingOption);
  }) as typeof fs.readlinkSync);
}

/** 'secret', 'decoy', or how openChecked refused. */
function checkedRead(
  fx: ReturnType<typeof makeHostileHome>,
  input: string,
  flags: number = fs.constants.O_RDONLY,
): string {
  let fd: number;
  try {
    ({ fd } = openChecked(fx.guard, input, flags));
  } catch (error) {
    if (error instanceof PathDeniedError) return `denied: ${error.message}`;
    return `fs error ${(error as NodeJS.ErrnoException).code}`;
  }
  try {
    const content = fs.readFileSync(fd, 'utf8');
    return content.includes(fx.secretKey.trim()) ? 'secret' : 'decoy';
  } finally {
    fs.closeSync(fd);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.runIf(process.platform === 'linux')('openChecked: forced interleavings', () => {
  it('a symlink planted at the checked name after the check: O_NOFOLLOW refuses it', () => {
    const fx = makeHostileHome();
    const target = path.join(fx.projects, 'target.txt');
    fs.writeFileSync(target, DECOY);
    attackAtOpen(() => {
      fs.symlinkSync(fx.at('.ssh/id_rsa'), `${target}.link`);
      fs.renameSync(`${target}.link`, target);
    });
    expect(checkedRead(fx, target)).toBe('fs error ELOOP');
  });

  it('a checked folder swapped for a symlink to ~/.ssh: the descriptor check refuses it', () => {
    const fx = makeHostileHome();
    const box = path.join(fx.projects, 'box');
    fs.mkdirSync(box);
    fs.writeFileSync(path.join(box, 'id_rsa'), DECOY);
    attackAtOpen(() => {
      fs.renameSync(box, `${box}.aside`);
      fs.symlinkSync(fx.at('.ssh'), box);
    });
    expect(checkedRead(fx, path.join(box, 'id_rsa'))).toMatch(
      /^denied: .*the opened file is not allowed: .* is inside blocked path ~\/\.ssh$/,
    );
  });

  // The descriptor check finds hardlinks only when the file still has more than one name
  // (stat.nlink > 1), and re-judges the descriptor's path by name. The attacker gives the key
  // a second name inside the workspace just before open(), and removes that name again just
  // after: the descriptor then reads "<workspace>/target.txt (deleted)", nlink is back to 1,
  // and nothing links the open file to ~/.ssh/id_rsa any more.
  it('a hardlink to the key that exists only during open() is refused', () => {
    const fx = makeHostileHome();
    const target = path.join(fx.projects, 'target.txt');
    fs.writeFileSync(target, DECOY);
    fs.writeFileSync(`${target}.file`, DECOY);
    attackAtOpen(() => {
      fs.linkSync(fx.at('.ssh/id_rsa'), `${target}.hard`);
      fs.renameSync(`${target}.hard`, target);
    }, '/target.txt');
    attackAtDescriptorCheck(() => fs.renameSync(`${target}.file`, target));

    const outcome = checkedRead(fx, target);
    expect(outcome).not.toBe('secret');
    expect(outcome).toMatch(/^denied: /);
  });

  it('a folder swapped after openChecked holds it: the file is opened through the held folder', () => {
    const fx = makeHostileHome();
    const box = path.join(fx.projects, 'box');
    fs.mkdirSync(box);
    fs.writeFileSync(path.join(box, 'id_rsa'), DECOY);
    attackAtOpen(() => {
      fs.renameSync(box, `${box}.aside`);
      fs.symlinkSync(fx.at('.ssh'), box);
    }, '/id_rsa');
    // The kernel resolves /proc/self/fd/<dir>/id_rsa in the folder we hold (now box.aside),
    // never through the new symlink; the moved name is then refused as a change of path.
    const outcome = checkedRead(fx, path.join(box, 'id_rsa'));
    expect(outcome).not.toBe('secret');
    expect(fs.readFileSync(fx.at('.ssh/id_rsa'), 'utf8')).toBe(fx.secretKey);
  });

  // Checking the descriptor after open() cannot undo open()'s own side effects, so O_TRUNC is
  // applied only after the checks, and files are created only inside the verified folder.
  it.each([
    ['O_WRONLY | O_TRUNC', fs.constants.O_WRONLY | fs.constants.O_TRUNC],
    [
      'O_WRONLY | O_CREAT | O_TRUNC',
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC,
    ],
  ])('%s through a checked folder swapped for ~/.ssh leaves the key intact', (_label, flags) => {
    const fx = makeHostileHome();
    const box = path.join(fx.projects, 'box');
    fs.mkdirSync(box);
    fs.writeFileSync(path.join(box, 'id_rsa'), DECOY);
    attackAtOpen(() => {
      fs.renameSync(box, `${box}.aside`);
      fs.symlinkSync(fx.at('.ssh'), box);
    });
    expect(checkedRead(fx, path.join(box, 'id_rsa'), flags)).toMatch(/^denied: /);
    expect(fs.readFileSync(fx.at('.ssh/id_rsa'), 'utf8')).toBe(fx.secretKey);
  });

  it('O_CREAT through a checked folder swapped for ~/.ssh creates nothing there', () => {
    const fx = makeHostileHome();
    const box = path.join(fx.projects, 'box');
    fs.mkdirSync(box);
    attackAtOpen(() => {
      fs.renameSync(box, `${box}.aside`);
      fs.symlinkSync(fx.at('.ssh'), box);
    });
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT;
    expect(checkedRead(fx, path.join(box, 'authorized_keys'), flags)).toMatch(/^denied: /);
    expect(fs.existsSync(fx.at('.ssh/authorized_keys'))).toBe(false);
  });
});
