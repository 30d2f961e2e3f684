// A cross-process lock file, so that the app and a CLI run appending to the same audit log at
// once still produce one unbroken hash chain. The lock is held for a burst of appends (until
// the event loop turns) rather than per line: creating and removing a file per line would
// cost more than writing the line.
import fs from 'node:fs';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** An empty lock file (no pid) older than this was left by a writer killed mid-creation. */
const STALE_EMPTY_LOCK_MS = 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileLock {
  private held = false;
  private releasedAt = -Infinity;
  private readonly releaseOnExit = () => this.release();

  constructor(
    readonly path: string,
    private readonly timeoutMs = 10_000,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Where a process waiting for the lock says so (see acquire). */
  get waitingPath(): string {
    return `${this.path}.waiting`;
  }

  acquire(): void {
    if (this.held) return;
    // Fairness: a writer that has just released steps aside for a moment when another process
    // says it is waiting, so that one gets its turn instead of waiting out a whole stream of
    // bursts. Nobody waiting (the usual case) costs one stat, not a sleep.
    if (performance.now() - this.releasedAt < 2 && this.someoneWaiting()) {
      Atomics.wait(sleepCell, 0, 0, 2);
    }
    const deadline = Date.now() + this.timeoutMs;
    let waiting = false;
    for (;;) {
      try {
        const fd = fs.openSync(this.path, 'wx', 0o600);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        this.held = true;
        process.once('exit', this.releaseOnExit);
        if (waiting) fs.rmSync(this.waitingPath, { force: true });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // Said again on every poll (a fresh mtime: a waiter killed with -9 soon stops counting).
      waiting = true;
      fs.writeFileSync(this.waitingPath, '', { mode: 0o600 });
      // A holder killed with -9 leaves its lock behind; its pid is no longer alive.
      let holder: number;
      try {
        holder = Number(fs.readFileSync(this.path, 'utf8'));
      } catch {
        continue; // released between our open and read
      }
      if (
        Number.isInteger(holder) &&
        holder > 0 &&
        holder !== process.pid &&
        !processAlive(holder)
      ) {
        fs.rmSync(this.path, { force: true });
        continue;
      }
      // A holder killed between creating the file and writing its pid leaves it empty; a live
      // one writes its pid within microseconds, so an empty lock a second old is stale.
      if (!(Number.isInteger(holder) && holder > 0) && this.ageMs() > STALE_EMPTY_LOCK_MS) {
        fs.rmSync(this.path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        fs.rmSync(this.waitingPath, { force: true });
        throw new Error(
          `${this.path} is held by process ${holder}; if no OmniPalm process is running, delete it`,
        );
      }
      Atomics.wait(sleepCell, 0, 0, 1);
    }
  }

  private ageMs(): number {
    try {
      return Date.now() - fs.statSync(this.path).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** A waiter polls every millisecond or so; a marker not renewed for a second is stale. */
  private someoneWaiting(): boolean {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.waitingPath);
    } catch {
      return false;
    }
    return Date.now() - stat.mtimeMs < 1000;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.releasedAt = performance.now();
    process.removeListener('exit', this.releaseOnExit);
    fs.rmSync(this.path, { force: true });
  }
}
