// The terminal as a front door for confirmations, as the guide shows them:
//
//   ⚠️  This will delete 47 files. Proceed?
//       - /var/log/app/*.log (23 files)
//       - ~/projects/logs/*.log (24 files)
//
//       [Y]es / [N]o / [L]ist files:
//
// One request at a time (the agent loop asks one by one). Anything but yes, list or "allow
// for this task" is a no; an empty answer is a no (No is the default); the deadline, the
// task's end or Ctrl-C closes the question as a no.
import readline from 'node:readline';
import type {
  ConfirmationAnswer,
  ConfirmationRequest,
  FrontDoor,
} from '../agent/confirmationBroker.js';

export interface TerminalLike {
  input: NodeJS.ReadableStream;
  /** Where prompts go (stderr, so stdout keeps only the answer). */
  output: NodeJS.WritableStream;
}

/** The line the user answers on: the guide's, with "files" for deletes. */
export function answerPrompt(request: Pick<ConfirmationRequest, 'operation'>): string {
  return `[Y]es / [N]o / [L]ist ${request.operation === 'delete' ? 'files' : 'details'}: `;
}

/** The question as printed before the answer line. */
export function formatConfirmation(request: ConfirmationRequest, now = Date.now()): string {
  const lines = [`⚠️  ${request.summary}`];
  for (const line of request.preview) lines.push(`    - ${line}`);
  lines.push(`    Why: ${request.reason} (risk: ${request.risk})`);
  const seconds = Math.max(0, Math.round((request.expiresAt - now) / 1000));
  lines.push(
    `    (answer within ${seconds} s, or it counts as No; A allows it for the rest of this task)`,
  );
  lines.push('    ');
  return lines.join('\n');
}

export function parseAnswer(text: string): ConfirmationAnswer | 'list' {
  const answer = text.trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') return 'yes';
  if (answer === 'l' || answer === 'list') return 'list';
  if (answer === 'a' || answer === 'always' || answer === 'allow') return 'allow_for_task';
  return 'no';
}

export class CliFrontDoor implements FrontDoor {
  readonly name = 'cli';
  private readonly rl: readline.Interface;
  private readonly ownsReadline: boolean;
  private busy = false;
  private readonly interruptListeners = new Set<() => void>();

  /**
   * `shared`: the caller's own readline on the same terminal (`omnipalm chat` reads prompts
   * with it). Two readlines on one input would both take every keystroke, so the question is
   * asked on the caller's; Ctrl-C is then the caller's to handle (it stops the turn, which
   * closes the question as a no), and close() leaves it open.
   */
  constructor(
    private readonly terminal: TerminalLike,
    private readonly hooks: { beforeShow?: () => void; afterAnswer?: () => void } = {},
    shared?: readline.Interface,
  ) {
    this.ownsReadline = shared === undefined;
    this.rl =
      shared ??
      readline.createInterface({
        input: terminal.input,
        output: terminal.output,
        terminal: true,
      });
    if (this.ownsReadline) {
      // Ctrl-C while a question is open: the question is a no, and the caller is told.
      this.rl.on('SIGINT', () => {
        for (const listener of this.interruptListeners) listener();
      });
    }
  }

  /** Called on Ctrl-C typed while the terminal is in the question's raw mode. */
  onInterrupt(listener: () => void): () => void {
    this.interruptListeners.add(listener);
    return () => this.interruptListeners.delete(listener);
  }

  canShow(): boolean {
    return !this.busy;
  }

  show(
    request: ConfirmationRequest,
    answer: (answer: ConfirmationAnswer) => void,
    signal: AbortSignal,
  ): void {
    this.busy = true;
    this.hooks.beforeShow?.();
    const write = (text: string) => this.terminal.output.write(text);
    write(`\n${formatConfirmation(request)}\n`);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.busy = false;
      this.hooks.afterAnswer?.();
    };
    signal.addEventListener(
      'abort',
      () => {
        // Aborted before an answer: the deadline passed, Ctrl-C, or the task stopped.
        if (!done) write('\n    (no answer: not done)\n');
        finish();
      },
      { once: true },
    );
    const ask = () => {
      this.rl.question(`    ${answerPrompt(request)}`, { signal }, (text) => {
        const given = parseAnswer(text);
        if (given === 'list') {
          const all = request.fullPreview ?? request.preview;
          write(`${all.map((line) => `      ${line}`).join('\n')}\n    \n`);
          ask();
          return;
        }
        finish();
        answer(given);
      });
    };
    ask();
  }

  close(): void {
    if (this.ownsReadline) this.rl.close();
  }
}
