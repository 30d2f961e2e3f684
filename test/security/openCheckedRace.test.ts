// Time-of-check/time-of-use: another process swaps a checked path for a symlink (or a
// hardlink) to ~/.ssh/id_rsa between the policy check and the open. openChecked must never hand
// back the key: it opens with O_NOFOLLOW and re-judges what it actually opened (the descriptor's
// /proc/self/fd path, device + inode). A naive "judge the string, then open the string" loses.
//
// Sources: CWE-367 (TOCTOU race condition); the symlink-swap races that openat2's
// RESOLVE_BENEATH / RESOLVE_NO_SYMLINKS exist to close (Linux openat2 selftests,
// tools/testing/selftests/openat2/resolve_test.c, and their rename-attack test, rename_attack_test.c);
// CVE-2025-53109 (modelcontextprotocol/servers filesystem server: symlink escape), whose fix
// checks realpath — which alone still leaves this window.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openChecked, PathDeniedError } from '../../src-main/policy/openChecked.js';
import type { PathGuard } from '../../src-main/policy/pathGuard.js';
import { makeHostileHome, type HostileHome } from '../support/hostileHome.js';
import { startSwapper, type SwapStep } from '../support/raceSwapper.js';

/** Every race runs at least this many attempts, and stops early once it has seen enough. */
const MIN_ATTEMPTS = 3000;
/** How long a race that must see both sides may go on past MAX_ATTEMPTS on a loaded machine. */
const PATIENCE_MS = 10_000;
/** The bound the brief allows for the naive version to lose the race. */
const MAX_ATTEMPTS = 20_000;
const DECOY = 'decoy: an ordinary project file\n';

type Outcome = 'decoy' | 'secret' | 'deniedBeforeOpen' | 'deniedAfterOpen' | `fs error ${string}`;

class Tally {
  attempts = 0;
  readonly counts = new Map<Outcome, number>();

  add(outcome: Outcome): void {
    this.attempts++;
    this.counts.set(outcome, this.count(outcome) + 1);
  }

  count(outcome: Outcome): number {
    return this.counts.get(outcome) ?? 0;
  }

  /** Refusals of every kind: by the policy, before or after the open, or by the kernel. */
  get refused(): number {
    return this.attempts - this.count('decoy') - this.count('secret');
  }

  toString(): string {
    const parts = [...this.counts].map(([outcome, count]) => `${outcome}: ${count}`);
    return `${this.attempts} attempts — ${parts.join(', ')}`;
  }
}

function classifyError(error: unknown): Outcome {
  if (error instanceof PathDeniedError) {
    return /the opened file is not allowed/.test(error.message)
      ? 'deniedAfterOpen'
      : 'deniedBeforeOpen';
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return `fs error ${code}`;
  throw error;
}

function checkedRead(guard: PathGuard, input: string, secretKey: string): Outcome {
  let fd: number;
  try {
    ({ fd } = openChecked(guard, input));
  } catch (error) {
    return classifyError(error);
  }
  try {
    const content = fs.readFileSync(fd, 'utf8');
    return content.includes(secretKey.trim()) ? 'secret' : 'decoy';
  } finally {
    fs.closeSync(fd);
  }
}

/** What a tool without openChecked does: check the string, then open the same string. */
function naiveRead(guard: PathGuard, input: string, secretKey: string): Outcome {
  if (guard.judge(input).kind !== 'allowed') return 'deniedBeforeOpen';
  try {
    return fs.readFileSync(input, 'utf8').includes(secretKey.trim()) ? 'secret' : 'decoy';
  } catch (error) {
    return classifyError(error);
  }
}

/**
 * Runs `attempt` against a live swapping child until `enough` (after MIN_ATTEMPTS) or `max`.
 * With `patienceMs`, a race that has not reached `enough` by `max` goes on for up to that long:
 * on a loaded machine the swapper may hardly be scheduled during the first `max` attempts.
 */
async function race(
  steps: readonly SwapStep[],
  attempt: () => Outcome,
  enough: (tally: Tally) => boolean,
  max: number = MAX_ATTEMPTS,
  patienceMs = 0,
): Promise<Tally> {
  const tally = new Tally();
  const swapper = await startSwapper(steps);
  const deadline = Date.now() + patienceMs;
  try {
    for (;;) {
      if (tally.attempts >= MIN_ATTEMPTS && enough(tally)) break;
      // Past `max`, the clock is read every 1000 attempts only.
      if (tally.attempts >= max && tally.attempts % 1000 === 0 && Date.now() >= deadline) break;
      tally.add(attempt());
    }
  } finally {
    await swapper.stop();
  }
  return tally;
}

/** ~/projects/target.txt flips between an ordinary file and a symlink to ~/.ssh/id_rsa. */
function swapLeafSymlink(fx: HostileHome): { input: string; steps: SwapStep[] } {
  const input = path.join(fx.projects, 'target.txt');
  const staged = { link: `${input}.link`, file: `${input}.file` };
  return {
    input,
    steps: [
      ['symlink', fx.at('.ssh/id_rsa'), staged.link],
      ['rename', staged.link, input],
      ['write', staged.file, DECOY],
      ['rename', staged.file, input],
    ],
  };
}

/** ~/projects/box is always a symlink: to ~/projects/realbox (holding a decoy id_rsa) or ~/.ssh. */
function swapParentSymlink(fx: HostileHome): { input: string; steps: SwapStep[] } {
  const box = path.join(fx.projects, 'box');
  const realbox = path.join(fx.projects, 'realbox');
  fs.mkdirSync(realbox);
  fs.writeFileSync(path.join(realbox, 'id_rsa'), DECOY);
  return {
    input: path.join(box, 'id_rsa'),
    steps: [
      ['symlink', fx.at('.ssh'), `${box}.to-ssh`],
      ['rename', `${box}.to-ssh`, box],
      ['symlink', realbox, `${box}.to-realbox`],
      ['rename', `${box}.to-realbox`, box],
    ],
  };
}

/**
 * ~/projects/box is a real folder (so it is part of the checked real path), then briefly a
 * symlink to ~/.ssh. O_NOFOLLOW guards only the last component: only re-judging the opened
 * descriptor catches this one.
 */
function swapParentFolder(fx: HostileHome): { input: string; box: string; steps: SwapStep[] } {
  const box = path.join(fx.projects, 'box');
  const aside = path.join(fx.projects, 'box.aside');
  fs.mkdirSync(aside);
  fs.writeFileSync(path.join(aside, 'id_rsa'), DECOY);
  return {
    input: path.join(box, 'id_rsa'),
    box,
    steps: [
      ['rename', aside, box],
      ['rename', box, aside],
      ['symlink', fx.at('.ssh'), box],
      ['unlink', box],
    ],
  };
}

/** ~/projects/target.txt flips between an ordinary file and a hardlink to ~/.ssh/id_rsa. */
function swapLeafHardlink(fx: HostileHome): { input: string; steps: SwapStep[] } {
  const input = path.join(fx.projects, 'target.txt');
  const staged = { link: `${input}.hard`, file: `${input}.file` };
  fs.writeFileSync(staged.file, DECOY);
  return {
    input,
    steps: [
      ['link', fx.at('.ssh/id_rsa'), staged.link],
      ['rename', staged.link, input],
      ['rename', staged.file, input],
      ['write', staged.file, DECOY],
    ],
  };
}

const exercised = (tally: Tally): boolean => tally.count('decoy') > 0 && tally.refused > 0;

describe.runIf(process.platform === 'linux')('openChecked against a live swapping attacker', () => {
  it('leaf symlink swap: openChecked never returns the key', async ({ annotate }) => {
    const fx = makeHostileHome();
    const { input, steps } = swapLeafSymlink(fx);
    const tally = await race(
      steps,
      () => checkedRead(fx.guard, input, fx.secretKey),
      exercised,
      MAX_ATTEMPTS,
      PATIENCE_MS,
    );
    await annotate(`openChecked, leaf symlink swap: ${tally}`);

    expect(tally.count('secret'), String(tally)).toBe(0);
    // Both sides of the race happened, or it was not raced at all.
    expect(tally.count('decoy'), String(tally)).toBeGreaterThan(0);
    expect(tally.refused, String(tally)).toBeGreaterThan(0);
  });

  it('leaf symlink swap: a naive check-then-open does read the key', async ({ annotate, skip }) => {
    const fx = makeHostileHome();
    const { input, steps } = swapLeafSymlink(fx);
    const tally = await race(
      steps,
      () => naiveRead(fx.guard, input, fx.secretKey),
      (seen) => seen.count('secret') > 0,
    );
    await annotate(`naive judge-then-open, leaf symlink swap: ${tally}`);
    // Losing a race is probabilistic: never having lost in MAX_ATTEMPTS is reported, not failed.
    if (tally.count('secret') === 0) {
      skip(`the naive check-then-open never lost the race in ${tally.attempts} attempts: ${tally}`);
    }
    expect(tally.count('secret')).toBeGreaterThan(0);
  });

  it('parent symlink swap: openChecked never returns the key; naive does', async ({ annotate }) => {
    const fx = makeHostileHome();
    const { input, steps } = swapParentSymlink(fx);
    const checked = await race(
      steps,
      () => checkedRead(fx.guard, input, fx.secretKey),
      exercised,
      MAX_ATTEMPTS,
      PATIENCE_MS,
    );
    await annotate(`openChecked, parent symlink swap: ${checked}`);
    expect(checked.count('secret'), String(checked)).toBe(0);
    expect(exercised(checked), String(checked)).toBe(true);

    // The same swap makes the naive version read the key most of the time: the path it
    // checked resolved through ~/projects/realbox, the path it opened through ~/.ssh.
    const naive = await race(
      steps,
      () => naiveRead(fx.guard, input, fx.secretKey),
      (seen) => seen.count('secret') > 0,
    );
    await annotate(`naive judge-then-open, parent symlink swap: ${naive}`);
    expect(naive.count('secret'), String(naive)).toBeGreaterThan(0);
  });

  it('parent folder swap: the opened descriptor is re-judged and refused', async ({ annotate }) => {
    const fx = makeHostileHome();
    const { input, steps } = swapParentFolder(fx);
    const tally = await race(
      steps,
      () => checkedRead(fx.guard, input, fx.secretKey),
      (seen) => exercised(seen) && seen.count('deniedAfterOpen') > 0,
      MAX_ATTEMPTS,
      PATIENCE_MS,
    );
    await annotate(`openChecked, parent folder swap: ${tally}`);

    expect(tally.count('secret'), String(tally)).toBe(0);
    expect(tally.count('decoy'), String(tally)).toBeGreaterThan(0);
    // The kernel did open ~/.ssh/id_rsa through the swapped folder at least once, and only
    // the /proc/self/fd re-check refused it.
    expect(tally.count('deniedAfterOpen'), String(tally)).toBeGreaterThan(0);
  });

  // Losing this one takes a narrow interleaving (the key's second name must vanish between
  // open() and the descriptor check), so a live run catches it only now and then;
  // openCheckedInterleavings.test.ts forces that interleaving on every run.
  it('leaf hardlink swap: openChecked never returns the key', async ({ annotate }) => {
    const fx = makeHostileHome();
    const { input, steps } = swapLeafHardlink(fx);
    const tally = await race(
      steps,
      () => checkedRead(fx.guard, input, fx.secretKey),
      exercised,
      MAX_ATTEMPTS,
      PATIENCE_MS,
    );
    await annotate(`openChecked, leaf hardlink swap: ${tally}`);

    expect(tally.count('secret'), String(tally)).toBe(0);
    expect(exercised(tally), String(tally)).toBe(true);
  });

  // Re-judging the descriptor after open() cannot undo what open() already did: O_TRUNC has
  // emptied the file and O_CREAT has created it by the time the check refuses it.
  describe('writes (O_TRUNC, O_CREAT) through a swapped parent folder', () => {
    it('openChecked(O_WRONLY | O_TRUNC) never truncates ~/.ssh/id_rsa', async ({ annotate }) => {
      const fx = makeHostileHome();
      const { input, steps } = swapParentFolder(fx);
      const key = fx.at('.ssh/id_rsa');
      const flags = fs.constants.O_WRONLY | fs.constants.O_TRUNC;
      const tally = await race(
        steps,
        () => {
          try {
            fs.closeSync(openChecked(fx.guard, input, flags).fd);
            return 'decoy';
          } catch (error) {
            return classifyError(error);
          }
        },
        // Stop at the first damage; a sound openChecked runs all MAX_ATTEMPTS.
        () => fs.statSync(key).size !== fx.secretKey.length,
      );
      const after = fs.readFileSync(key, 'utf8');
      await annotate(
        `openChecked(O_TRUNC), parent folder swap: ${tally}; key bytes after: ${after.length}`,
      );

      expect(after, String(tally)).toBe(fx.secretKey);
    });

    it('openChecked(O_WRONLY | O_CREAT) never creates a file in ~/.ssh', async ({ annotate }) => {
      const fx = makeHostileHome();
      const { box, steps } = swapParentFolder(fx);
      const before = fs.readdirSync(fx.at('.ssh'));
      const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT;
      let planted = 0;
      const tally = await race(
        steps,
        () => {
          try {
            fs.closeSync(openChecked(fx.guard, path.join(box, `planted-${planted++}`), flags).fd);
            return 'decoy';
          } catch (error) {
            return classifyError(error);
          }
        },
        () => fs.readdirSync(fx.at('.ssh')).length !== before.length,
      );
      const after = fs.readdirSync(fx.at('.ssh'));
      await annotate(
        `openChecked(O_CREAT), parent folder swap: ${tally}; files created in ~/.ssh: ${after.length - before.length}`,
      );

      const created = after.filter((name) => !before.includes(name));
      expect(created.length, `${tally}; created: ${created.slice(0, 5).join(', ')}…`).toBe(0);
    });
  });
});
