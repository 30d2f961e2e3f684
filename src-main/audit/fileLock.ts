// A cross-process lock file, so that the app and a CLI run appending to the same audit log at
// once still produce one unbroken hash chain. The lock is held for a burst of appends (until
// the event loop turns) rather than per line: creating and removing a file per line would
// cost more than writing the line.
import fs from 'node:fs';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

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

  acquire(): void {
    if (this.held) return;
    // Fairness: a writer that has just released steps aside for a moment, so another process
    // polling for the lock gets its turn instead of waiting out a whole stream of bursts.
    if (performance.now() - this.releasedAt < 2) Atomics.wait(sleepCell, 0, 0, 2);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      try {
        const fd = fs.openSync(this.path, 'wx', 0o600);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        this.held = true;
        process.once('exit', this.releaseOnExit);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
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
      if (Date.now() > deadline) {
        throw new Error(
          `${this.path} is held by process ${holder}; if no OmniPalm process is running, delete it`,
        );
      }
      Atomics.wait(sleepCell, 0, 0, 1);
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.releasedAt = performance.now();
    process.removeListener('exit', this.releaseOnExit);
    fs.rmSync(this.path, { force: true });
  }
}
