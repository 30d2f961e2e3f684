// The audit log's cross-process lock: stale locks are taken over, and a writer steps aside
// for another process only when that one says it is waiting.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileLock } from '../../../src-main/audit/fileLock.js';
import { makeTempFolder } from '../../support/tempFolders.js';

afterEach(() => vi.restoreAllMocks());

function lockIn(timeoutMs?: number): FileLock {
  return new FileLock(path.join(makeTempFolder('omnipalm-lock-'), 'audit.log.lock'), timeoutMs);
}

function age(file: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  fs.utimesSync(file, then, then);
}

describe('FileLock', () => {
  it('takes over an empty lock left by a writer killed while creating it', () => {
    const lock = lockIn(5_000);
    fs.writeFileSync(lock.path, '');
    age(lock.path, 5);
    lock.acquire();
    expect(fs.readFileSync(lock.path, 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
  });

  it('waits for an empty lock that was created just now (its writer is about to fill it in)', () => {
    const lock = lockIn(200);
    fs.writeFileSync(lock.path, '');
    expect(() => lock.acquire()).toThrow(/is held by process 0/);
    // Giving up leaves no "waiting" marker behind.
    expect(fs.existsSync(lock.waitingPath)).toBe(false);
  });

  it('steps aside after a quick re-acquire only while another process is waiting', () => {
    const lock = lockIn();
    const sleep = vi.spyOn(Atomics, 'wait');
    // Every re-acquire here is "quick" (< 2 ms after the release) whatever the machine's load:
    // writing the marker in between can take longer than that on two busy CPUs.
    const clock = vi.spyOn(performance, 'now').mockReturnValue(1_000);
    lock.acquire();
    lock.release();
    lock.acquire(); // nobody waiting: straight back in
    expect(sleep).not.toHaveBeenCalled();
    lock.release();

    fs.writeFileSync(lock.waitingPath, '');
    lock.acquire(); // a fresh marker: give the other process its turn first
    expect(sleep).toHaveBeenCalledTimes(1);
    lock.release();

    age(lock.waitingPath, 5);
    lock.acquire(); // a marker nobody renews (its writer died) does not count
    expect(sleep).toHaveBeenCalledTimes(1);
    lock.release();
    clock.mockRestore();
  });
});
