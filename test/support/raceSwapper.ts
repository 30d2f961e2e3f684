// An attacker in another process: a child `node -e` that repeats a list of file-system steps
// (plant a symlink, rename it over a checked file, put the file back…) as fast as it can, so
// a time-of-check/time-of-use window in the code under test really gets raced, on another CPU.
import { spawn, type ChildProcess } from 'node:child_process';

export type SwapStep =
  | ['symlink', target: string, linkPath: string]
  | ['link', existing: string, newPath: string]
  | ['rename', from: string, to: string]
  | ['write', file: string, content: string]
  | ['unlink', file: string];

// Plain CommonJS so it runs under `node -e` with no loader. It signals "ready" once the first
// round has run, then never yields: SIGTERM's default action ends it mid-loop.
const CHILD_SCRIPT = `
const fs = require('node:fs');
const steps = JSON.parse(process.argv[1]);
// A staged name left over from an earlier child (killed mid-round) is replaced.
function plant(make, a, b) {
  try {
    make(a, b);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    fs.unlinkSync(b);
    make(a, b);
  }
}
function run(step) {
  const [op, a, b] = step;
  if (op === 'symlink') plant(fs.symlinkSync, a, b);
  else if (op === 'link') plant(fs.linkSync, a, b);
  else if (op === 'rename') fs.renameSync(a, b);
  else if (op === 'write') fs.writeFileSync(a, b);
  else if (op === 'unlink') fs.unlinkSync(a);
  else throw new Error('unknown step ' + op);
}
for (const step of steps) run(step);
fs.writeSync(1, 'ready\\n');
for (;;) for (const step of steps) run(step);
`;

export interface RaceSwapper {
  /**
   * Ends the child and waits until it has exited. Safe to call more than once. Throws if the
   * child had already died on its own (a failing step): the race would not have been raced.
   */
  stop(): Promise<void>;
}

/** Starts the swapping child and resolves once it has completed its first round. */
export function startSwapper(steps: readonly SwapStep[]): Promise<RaceSwapper> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD_SCRIPT, JSON.stringify(steps)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopping = false;
  let diedOnItsOwn = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      diedOnItsOwn = !stopping;
      resolve();
    }),
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const swapper: RaceSwapper = {
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (diedOnItsOwn) throw new Error(`the swapping child died during the race: ${stderr}`);
    },
  };
  return new Promise<RaceSwapper>((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('ready\n')) resolve(swapper);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`the swapping child exited early (${code ?? signal}): ${stderr}`)),
    );
  });
}
