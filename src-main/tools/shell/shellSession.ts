// ShellSession — one persistent bash under a pseudo-terminal per task, so `cd`, exported
// variables and functions carry over between commands, and each command costs a line written
// to a running shell instead of a process spawn (DESIGN.md §6: ~0.6 ms against ~12 ms).
//
// Where a command's output starts and ends is found by sentinel lines carrying a random
// 128-bit nonce, new for every command. The nonce never appears in what is written to the
// shell in the form it takes in the output (the written text is `printf '%s:…' NONCE`, the
// output is `NONCE:…`), echo is off and history is disabled, so a command cannot print a
// marker to end itself early or hide output after it: it would have to guess the nonce.
import { randomBytes } from 'node:crypto';
import * as pty from 'node-pty';
import { scrubEnvironment } from '../../secrets/environment.js';
import { killProcessTree } from './processTree.js';
import { findSandboxViolations, type SandboxViolation } from './sandboxViolations.js';

/** Starts the session's shell inside something (the OS sandbox): once per shell process. */
export interface ShellLauncher {
  readonly sandboxed: boolean;
  /** The folders the sandbox hides (realpath'd): a missing file under one is a violation. */
  readonly blockedPaths?: readonly string[];
  /** The folders the sandbox lets commands write. */
  readonly allowedPaths?: readonly string[];
  /**
   * The program and arguments that run `shellCommand` (a bash command line) inside it, and
   * what guards the protected files the sandbox could not bind (they did not exist).
   */
  wrap(shellCommand: string): Promise<{ file: string; args: string[]; guard?: CreationGuard }>;
}

/** Moves away protected files created from inside the sandbox; each is a write violation. */
export interface CreationGuard {
  check(): SandboxViolation[];
}

export interface ShellSessionOptions {
  /** The folder the shell starts in. */
  cwd: string;
  /** Without one, bash runs as is (unsandboxed). */
  launcher?: ShellLauncher | undefined;
  /** Secret values the app holds: variables containing them never reach the shell. */
  secrets?: Iterable<string>;
  /** The environment to scrub and pass on; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Most characters of output kept per command; the rest is counted, not kept. */
  maxOutputChars?: number;
  /** How long an interrupted command gets to return to the prompt before the shell is killed. */
  interruptGraceMs?: number;
  /** How long the shell gets to start. */
  startTimeoutMs?: number;
  /** How long a line the user typed into the terminal view may run (default 10 minutes). */
  userCommandTimeoutMs?: number;
}

/** What became of the user's keystrokes (ShellSession.writeInput). */
export type InputResult =
  | {
      accepted: true;
      /** Lines the user finished with Enter: each now runs in the shell. */
      submitted: string[];
      /** True when a Ctrl-C interrupted the user's own running line. */
      interrupted: boolean;
    }
  | { accepted: false; reason: string };

export interface ExecOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** What the command printed (stdout and stderr interleaved, as in a terminal), "\n" line ends. */
  output: string;
  /** Characters of output not kept because it passed maxOutputChars. */
  droppedChars: number;
  /** The command's exit status; 130 after an interrupt; the shell's status if it exited. */
  exitCode: number;
  timedOut: boolean;
  /** What the sandbox stopped, read from the output (sandboxed sessions only). */
  violations: SandboxViolation[];
}

export type ShellDataListener = (chunk: string) => void;

const DEFAULT_MAX_OUTPUT_CHARS = 1_000_000;
/** How long an exiting shell gets after its acknowledgement before it is killed. */
const EXIT_GRACE_MS = 1_000;
/** How long close() waits for a killed shell's pty to report its exit. */
const CLOSE_WAIT_MS = 5_000;
/** Output is kept back this many characters, so a marker split across chunks is still found. */
// A marker carries the working folder, up to PATH_MAX long.
const MARKER_WINDOW = 4096 + 128;
const UI_BATCH_MS = 16;
const UI_BATCH_CHARS = 200_000;
const DEFAULT_USER_COMMAND_TIMEOUT_MS = 600_000;
/** Most characters of one line the user is typing; more is dropped, not kept. */
const MAX_USER_LINE_CHARS = 64 * 1024;

/**
 * The command as one bash ANSI-C quoted word, $'…', on a single line: quotes, backslashes,
 * control characters (newlines too) and non-ASCII bytes become \xHH, so nothing in the
 * command can close the quote, start a new line or be read as shell syntax before `eval`.
 */
export function quoteForBash(command: string): string {
  let quoted = "$'";
  for (const byte of Buffer.from(command, 'utf8')) {
    const safe = byte >= 0x20 && byte <= 0x7e && byte !== 0x27 && byte !== 0x5c;
    quoted += safe ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${quoted}'`;
}

function countWithoutCarriageReturns(text: string, from: number): number {
  let count = 0;
  for (let index = from; index < text.length; index++) if (text.charCodeAt(index) !== 13) count++;
  return count;
}

function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Where the escape sequence starting at `start` (an ESC) ends: CSI, SS3 or ESC + one char. */
function endOfEscapeSequence(text: string, start: number): number {
  const next = text[start + 1];
  if (next === '[') {
    let index = start + 2;
    while (index < text.length && !/[@-~]/.test(text[index]!)) index++;
    return index;
  }
  if (next === 'O') return Math.min(start + 2, text.length - 1);
  return Math.min(start + 1, text.length - 1);
}

function normalizeLineEnds(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/\r/g, '');
}

interface RunResult {
  output: string;
  dropped: number;
  exitCode: number;
  /** The shell's folder after the command; absent when the shell exited. */
  cwd?: string;
}

interface Running {
  nonce: string;
  /** `\nNONCE:status:folder\n`, built once per command. */
  endMarker: RegExp;
  started: boolean;
  /** Received but not yet classified: may hold the start of a marker. */
  pending: string;
  output: string;
  dropped: number;
  resolve: (result: RunResult) => void;
  /** Called when the shell exits while this command runs. */
  onExit: (exitCode: number) => void;
}

/** Passes output on in batches (~16 ms or 200 KB), as Hyper does, so the UI is not flooded. */
class OutputBatcher {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly listeners: Set<ShellDataListener>) {}

  push(text: string): void {
    if (text === '' || this.listeners.size === 0) return;
    this.buffer += text;
    if (this.buffer.length >= UI_BATCH_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), UI_BATCH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    for (const listener of this.listeners) listener(chunk);
  }
}

class BashProcess {
  readonly exited: Promise<number>;
  private running: Running | undefined;
  private ready: { nonce: string; seen: string; resolve: () => void } | undefined;
  private alive = true;
  /** Set once bash announced its exit (the EXIT trap): it is leaving, send it nothing more. */
  private exiting = false;
  /**
   * The EXIT trap's marker. node-pty drops the tail of a pty whose process exits right after
   * writing, so bash, as it exits, prints this marker and waits for our acknowledgement —
   * everything before the marker has then been read. Unlike the per-command nonces it is
   * shell state (`trap -p` shows it), so a command could print it: that only ends the command
   * and the shell, as `exit` would — the shell is killed once the marker is seen.
   */
  private readonly exitNonce = newNonce();
  private readonly exitMarker = new RegExp(`\\r?\\n${this.exitNonce}:x:(\\d+):([^\\r\\n]*)\\r?\\n`);

  constructor(
    private readonly term: pty.IPty,
    private readonly maxOutputChars: number,
    private readonly batcher: OutputBatcher,
    readonly guard?: CreationGuard,
  ) {
    term.onData((data) => this.receive(data));
    // node-pty emits exit only once the pty's read side has closed, i.e. after the last data
    // event; the extra turn lets a data event queued in the same tick land first.
    this.exited = new Promise((resolve) => {
      term.onExit(({ exitCode }) => setImmediate(() => resolve(exitCode)));
    });
    void this.exited.then((exitCode) => {
      this.alive = false;
      this.running?.onExit(exitCode);
      // What a background job planted after the last command: nothing inside runs any more.
      guard?.check();
    });
  }

  get isAlive(): boolean {
    return this.alive && !this.exiting;
  }

  /** The pty's child: bash, or the sandbox (bwrap) that runs it. */
  get pid(): number {
    return this.term.pid;
  }

  /** Sets the terminal up and waits for the shell to answer. */
  async start(timeoutMs: number): Promise<void> {
    const nonce = newNonce();
    const answered = new Promise<void>((resolve) => (this.ready = { nonce, seen: '', resolve }));
    // -echo: the typed commands are not shown back. -icanon: lines longer than the terminal's
    // 4 KB line buffer reach bash whole. History off: `history` cannot reveal a nonce.
    this.term.write(
      `stty -echo -icanon min 1 time 0 2>/dev/null; set +o history; unset HISTFILE; PROMPT_COMMAND=; exec 9<&0; trap 'printf "\\n%s:x:%d:%s\\n" ${this.exitNonce} "$?" "\${PWD//[[:cntrl:]]/?}"; read -r -t 10 _ <&9' EXIT; printf '%s:%s\\n' ${nonce} ready\n`,
    );
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`bash did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void this.exited.then((code) =>
        reject(new Error(`bash exited with status ${code} while starting`)),
      );
    });
    try {
      await Promise.race([answered, failed]);
    } finally {
      clearTimeout(timer);
    }
  }

  run(command: string): Promise<RunResult> {
    const nonce = newNonce();
    return new Promise((resolve) => {
      this.running = {
        nonce,
        endMarker: new RegExp(`\\r?\\n${nonce}:(\\d+):([^\\r\\n]*)\\r?\\n`),
        started: false,
        pending: '',
        output: '',
        dropped: 0,
        resolve: (result) => {
          this.running = undefined;
          this.batcher.flush();
          resolve(result);
        },
        onExit: (exitCode) => {
          const running = this.running!;
          if (running.started) this.keep(running, running.pending);
          running.resolve({ output: running.output, dropped: running.dropped, exitCode });
        },
      };
      // One line: bash has read the end marker before the command runs, so nothing the
      // command reads can swallow it. stdin is /dev/null: a command waiting for input fails
      // at once instead of hanging until its timeout. eval runs in this shell: `cd` persists.
      this.term.write(
        `printf '%s:start\\n' ${nonce}; eval ${quoteForBash(command)} </dev/null; printf '\\n%s:%d:%s\\n' ${nonce} "$?" "\${PWD//[[:cntrl:]]/?}"\n`,
      );
    });
  }

  /** Ctrl-C to the foreground command, then an end marker in case bash dropped the line. */
  interrupt(): void {
    const running = this.running;
    if (!running || !this.alive) return;
    this.term.write('\x03');
    this.term.write(`printf '\\n%s:%d:%s\\n' ${running.nonce} 130 "\${PWD//[[:cntrl:]]/?}"\n`);
  }

  /** Lets the exiting bash go (its trap waits for a line), then makes sure it is gone. */
  private acknowledgeExit(): void {
    if (this.exiting) return;
    this.exiting = true;
    try {
      this.term.write('\n');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.kill(), EXIT_GRACE_MS);
    timer.unref();
    void this.exited.then(() => clearTimeout(timer));
  }

  /** Kills the shell and everything it started (the sandbox's processes too: processTree.ts). */
  kill(): void {
    if (!this.alive) return;
    killProcessTree(this.term.pid);
    try {
      this.term.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }

  /** True while the shell starts or runs a command: the pty then belongs to the protocol. */
  get isBusy(): boolean {
    return this.running !== undefined || this.ready !== undefined;
  }

  resize(cols: number, rows: number): void {
    if (!this.alive) return;
    try {
      this.term.resize(cols, rows);
    } catch {
      // The pty closed between the check and the call: the next shell gets the size.
    }
  }

  private receive(data: string): void {
    if (this.ready) {
      this.ready.seen = (this.ready.seen + data).slice(-MARKER_WINDOW * 4);
      if (this.ready.seen.includes(`${this.ready.nonce}:ready`)) {
        const { resolve } = this.ready;
        this.ready = undefined;
        resolve();
      }
      return;
    }
    const running = this.running;
    if (!running) {
      // Output between commands (a background job) is not asked for; an exit still is acked.
      if (data.includes(`${this.exitNonce}:x:`)) this.acknowledgeExit();
      return;
    }
    running.pending += data;
    if (!running.started) {
      const start = new RegExp(`${running.nonce}:start\\r?\\n`).exec(running.pending);
      if (!start) {
        running.pending = running.pending.slice(-MARKER_WINDOW);
        return;
      }
      running.started = true;
      running.pending = running.pending.slice(start.index + start[0].length);
    }
    // The regexes run only when a nonce is there: most chunks are plain output.
    const end = running.pending.includes(running.nonce)
      ? running.endMarker.exec(running.pending)
      : null;
    const exit = running.pending.includes(this.exitNonce)
      ? this.exitMarker.exec(running.pending)
      : null;
    if (exit && (!end || exit.index < end.index)) {
      this.keep(running, running.pending.slice(0, exit.index));
      this.acknowledgeExit();
      running.resolve({
        output: running.output,
        dropped: running.dropped,
        exitCode: Number(exit[1]),
        cwd: exit[2]!,
      });
      return;
    }
    if (end) {
      this.keep(running, running.pending.slice(0, end.index));
      running.resolve({
        output: running.output,
        dropped: running.dropped,
        exitCode: Number(end[1]),
        cwd: end[2]!,
      });
      return;
    }
    const settled = this.settledLength(running);
    this.keep(running, running.pending.slice(0, settled));
    running.pending = running.pending.slice(settled);
  }

  /**
   * How much of `pending` cannot be part of a marker and may go out now. A marker starts on
   * a new line with a nonce, so only a last line that could still become one is held back:
   * the live view lags by a partial line at most, not by a marker's worth of output.
   */
  private settledLength(running: Running): number {
    const { pending } = running;
    const lineStart = pending.lastIndexOf('\n');
    // No line break: nothing here can start a marker, except a carriage return before one.
    if (lineStart < 0) return pending.endsWith('\r') ? pending.length - 1 : pending.length;
    const tail = pending.slice(lineStart + 1);
    const couldBeMarker = [`${running.nonce}:`, `${this.exitNonce}:x:`].some((prefix) =>
      tail.length <= prefix.length ? prefix.startsWith(tail) : tail.startsWith(prefix),
    );
    if (!couldBeMarker || tail.length > MARKER_WINDOW) return pending.length;
    // Keep the line break (and a carriage return before it) with the possible marker.
    return pending[lineStart - 1] === '\r' ? lineStart - 1 : lineStart;
  }

  private keep(running: Running, text: string): void {
    const room = Math.max(0, this.maxOutputChars - running.output.length);
    running.output += text.slice(0, room);
    // Counted as the caller will see it: without the terminal's carriage returns.
    if (room < text.length) running.dropped += countWithoutCarriageReturns(text, room);
    this.batcher.push(text);
  }
}

export class ShellSession {
  private process: BashProcess | undefined;
  /** The shell being started (by warmUp or a command): every caller waits for this one. */
  private starting: Promise<BashProcess> | undefined;
  /** A spawned shell that has not answered yet: close() must kill it too. */
  private spawned: BashProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly listeners = new Set<ShellDataListener>();
  private readonly batcher = new OutputBatcher(this.listeners);
  private currentCwd: string;
  private terminalSize = { cols: 200, rows: 50 };
  /** What the user has typed into the view since the last Enter (not yet sent to the shell). */
  private userLine = '';
  /** The user's own lines queued or running, each stoppable with Ctrl-C. */
  private readonly userRuns = new Set<AbortController>();

  constructor(private readonly options: ShellSessionOptions) {
    this.currentCwd = options.cwd;
  }

  /** The pseudo-terminal's size: the running shell's, or the one the next shell starts with. */
  get size(): { cols: number; rows: number } {
    return { ...this.terminalSize };
  }

  /** True when the session's shell runs inside the OS sandbox. */
  get sandboxed(): boolean {
    return this.options.launcher?.sandboxed === true;
  }

  /** The process id of the shell that runs or is starting (bwrap's when sandboxed). */
  get pid(): number | undefined {
    return (this.process ?? this.spawned)?.pid;
  }

  /** The folder the session started in, or the last one a command left it in. */
  get cwd(): string {
    return this.currentCwd;
  }

  /** Command output as it arrives, batched; returns a function that stops listening. */
  onData(listener: ShellDataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs one command in the session; commands run one at a time, in call order. */
  exec(command: string, options: ExecOptions): Promise<ExecResult> {
    const result = this.queue.then(() => this.execNow(command, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Resizes the pseudo-terminal; without a running shell, the next one starts at this size. */
  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1) {
      throw new RangeError(
        `terminal size must be whole numbers of at least 1, got ${cols}x${rows}`,
      );
    }
    if (this.disposed) return;
    this.terminalSize = { cols, rows };
    // A shell that is starting has its pty already: the view's size must reach it too.
    (this.process ?? this.spawned)?.resize(cols, rows);
  }

  /**
   * The user's keystrokes from the terminal view. They never reach the pty as raw bytes: the
   * pty runs without echo or line editing (the sentinel protocol needs that), and a half-typed
   * line left in bash's input when the agent's next command arrives would be glued to the
   * front of its start marker and break it. So the session edits the line itself (echo,
   * Backspace, Ctrl-U, Ctrl-C; arrow keys and other escape sequences are dropped) and runs
   * each line finished with Enter through exec, like the agent's commands: in turn with them,
   * in a subshell of the same shell, with an empty stdin and a timeout. Refused while the
   * agent's command runs (the view is then the agent's) and while the user's own line runs,
   * except Ctrl-C, which stops it. Throws once the session is disposed.
   */
  writeInput(text: string): InputResult {
    if (this.disposed) throw new Error('the shell session was closed; its terminal takes no input');
    if (this.userRuns.size > 0) {
      if (!text.includes('\x03')) {
        return { accepted: false, reason: 'your command is still running; Ctrl-C stops it' };
      }
      for (const run of this.userRuns) run.abort(new Error('interrupted by the user (Ctrl-C)'));
      return { accepted: true, submitted: [], interrupted: true };
    }
    if (this.process?.isBusy) {
      return {
        accepted: false,
        reason: "the agent's command is running; type when it has finished",
      };
    }
    const submitted: string[] = [];
    let echo = '';
    for (let index = 0; index < text.length; index++) {
      const char = text[index]!;
      if (char === '\r' || char === '\n') {
        if (char === '\n' && text[index - 1] === '\r') continue; // One Enter in a pasted CRLF.
        echo += '\r\n';
        if (this.userLine.trim() !== '') submitted.push(this.userLine);
        this.userLine = '';
      } else if (char === '\x7f' || char === '\b') {
        if (this.userLine === '') continue;
        this.userLine = this.userLine.slice(0, -1);
        echo += '\b \b';
      } else if (char === '\x15') {
        echo += '\b \b'.repeat(this.userLine.length);
        this.userLine = '';
      } else if (char === '\x03') {
        echo += '^C\r\n';
        this.userLine = '';
      } else if (char === '\x1b') {
        index = endOfEscapeSequence(text, index);
      } else if ((char >= ' ' && (char < '\x80' || char > '\x9f')) || char === '\t') {
        if (this.userLine.length >= MAX_USER_LINE_CHARS) continue;
        this.userLine += char;
        echo += char;
      }
      // Other control characters (Ctrl-D, Ctrl-Z, …) mean nothing without a job to send them
      // to, and C1 controls (U+009B is a CSI) would act on the view when echoed: dropped.
    }
    this.batcher.push(echo);
    this.batcher.flush();
    for (const line of submitted) this.runUserLine(line);
    return { accepted: true, submitted, interrupted: false };
  }

  /**
   * Starts the shell now, before a command needs it: a task warms its shell while the model
   * thinks, so the first command does not wait for the sandbox to start. Throws nothing: a
   * start that fails is reported to the first command that needs the shell (which gets the
   * same error it would have got starting the shell itself), and a later command tries again.
   */
  warmUp(): void {
    if (this.disposed || this.process?.isAlive) return;
    this.shell().catch(() => undefined);
  }

  /** Kills the shell at once (and one that is starting), without waiting; see close(). */
  dispose(): void {
    this.disposed = true;
    this.batcher.flush();
    this.listeners.clear();
    this.process?.kill();
    this.process = undefined;
    this.spawned?.kill();
  }

  /**
   * dispose(), then waits until nothing of the session is left: a start in progress (the
   * sandbox being set up) has given up, and the killed shell's pty reported its exit. A task
   * that ends during its shell's warm start leaves no bash behind, and no sandbox set-up
   * running into a later reset of the sandbox runtime.
   */
  async close(): Promise<void> {
    const starting = this.starting;
    const shells = [this.process, this.spawned];
    this.dispose();
    await starting?.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([Promise.all(shells.map((shell) => shell?.exited)), gaveUp]);
    clearTimeout(timer);
  }

  private async execNow(command: string, options: ExecOptions): Promise<ExecResult> {
    if (this.disposed) throw new Error('the shell session was closed');
    options.signal?.throwIfAborted();
    const shell = await this.shell();
    // Stopped while the shell started: its abort event has fired already and would be missed.
    options.signal?.throwIfAborted();
    let interrupted: 'timeout' | 'abort' | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const interrupt = (why: 'timeout' | 'abort') => {
      if (interrupted) return;
      interrupted = why;
      shell.interrupt();
      graceTimer = setTimeout(() => shell.kill(), this.options.interruptGraceMs ?? 1_000);
    };
    const timer = setTimeout(() => interrupt('timeout'), options.timeoutMs);
    const onAbort = () => interrupt('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const ranIn = this.currentCwd;
      // Planted by a background job since the last command: reported with this one.
      const planted = shell.guard?.check() ?? [];
      const { output, dropped, exitCode, cwd } = await shell.run(command);
      planted.push(...(shell.guard?.check() ?? []));
      if (cwd) this.currentCwd = cwd;
      if (!shell.isAlive) this.forget(shell);
      if (interrupted === 'abort') throw options.signal?.reason ?? new Error('aborted');
      let text = normalizeLineEnds(output);
      // The command is told, as a refused write would have told it.
      for (const violation of planted)
        text += `${text === '' || text.endsWith('\n') ? '' : '\n'}${violation.line}\n`;
      const launcher = this.options.launcher;
      const status = interrupted && !shell.isAlive ? 130 : exitCode;
      return {
        output: text,
        droppedChars: dropped,
        // Interrupted and the shell had to be killed (a sandboxed shell has no terminal to
        // deliver Ctrl-C to): the command did not finish, whatever the dying shell reported.
        // A planted start-up file was taken back: the write failed, whatever bash says.
        exitCode: planted.length > 0 && status === 0 ? 1 : status,
        timedOut: interrupted === 'timeout',
        violations: launcher?.sandboxed
          ? [
              ...findSandboxViolations(
                normalizeLineEnds(output),
                { cwd: ranIn, blockedPaths: launcher.blockedPaths ?? [] },
                exitCode,
              ),
              ...planted,
            ]
          : [],
      };
    } finally {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Runs a line the user typed, in turn with the agent's commands; notes how it ended. */
  private runUserLine(line: string): void {
    const controller = new AbortController();
    this.userRuns.add(controller);
    // In a subshell: the user's `cd`, variables and functions must not change the shell the
    // agent's next command runs in. A command previewed and confirmed for one folder would
    // otherwise run in another, and a planted function (`git() { curl …; }`) would run in
    // place of a command the policy judged. Quoted whole, so no `)` in the line can leave it.
    void this.exec(`( eval ${quoteForBash(line)} )`, {
      timeoutMs: this.options.userCommandTimeoutMs ?? DEFAULT_USER_COMMAND_TIMEOUT_MS,
      signal: controller.signal,
    })
      .then(
        (result) => (result.timedOut ? '[timed out]\r\n' : ''),
        (error: unknown) =>
          controller.signal.aborted ? '^C\r\n' : `[${(error as Error).message}]\r\n`,
      )
      .then((note) => {
        this.userRuns.delete(controller);
        if (this.disposed) return;
        this.batcher.push(note);
        this.batcher.flush();
      });
  }

  private forget(shell: BashProcess): void {
    if (this.process === shell) this.process = undefined;
  }

  /** The running shell, or the one being started, or a new one. */
  private shell(): Promise<BashProcess> {
    if (this.process?.isAlive) return Promise.resolve(this.process);
    if (!this.starting) {
      const starting = this.startShell();
      this.starting = starting;
      const settled = () => {
        if (this.starting === starting) this.starting = undefined;
      };
      starting.then(settled, settled);
    }
    return this.starting;
  }

  private async startShell(): Promise<BashProcess> {
    const env: Record<string, string> = {};
    const scrubbed = scrubEnvironment(this.options.env ?? process.env, this.options.secrets ?? []);
    for (const [name, value] of Object.entries(scrubbed))
      if (value !== undefined) env[name] = value;
    // A colour terminal (the UI shows the session in xterm.js); pagers off, since no one
    // pages through a command the agent runs.
    Object.assign(env, {
      PS1: '',
      PS2: '',
      PS4: '+ ',
      TERM: 'xterm-256color',
      HISTFILE: '/dev/null',
      PAGER: 'cat',
      GIT_PAGER: 'cat',
      SYSTEMD_PAGER: '',
    });
    const bashArgs = ['--noprofile', '--norc', '--noediting'];
    const { file, args, guard } = this.options.launcher
      ? await this.options.launcher.wrap(`exec bash ${bashArgs.join(' ')}`)
      : { file: 'bash', args: bashArgs, guard: undefined };
    if (this.disposed) throw new Error('the shell session was closed');
    const term = pty.spawn(file, args, {
      name: 'xterm-256color',
      cols: this.terminalSize.cols,
      rows: this.terminalSize.rows,
      cwd: this.currentCwd,
      env,
    });
    const shell = new BashProcess(
      term,
      this.options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS,
      this.batcher,
      guard,
    );
    void shell.exited.then(() => this.forget(shell));
    this.spawned = shell;
    try {
      await shell.start(this.options.startTimeoutMs ?? 10_000);
      if (this.disposed) throw new Error('the shell session was closed');
    } catch (error) {
      shell.kill();
      // Killed by close() while starting: that, not the shell's exit status, is the reason.
      throw this.disposed ? new Error('the shell session was closed') : error;
    } finally {
      this.spawned = undefined;
    }
    this.process = shell;
    return shell;
  }
}
