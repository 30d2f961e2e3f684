// `omnipalm run "PROMPT"`: one task in the terminal. The answer streams to stdout; tool calls,
// confirmations and the final status go to stderr, so `omnipalm run … > answer.txt` keeps
// only the answer. The exit code says how the task ended.
import path from 'node:path';
import { AgentCore, TaskSetupError, type CoreTaskOutcome } from '../agent/core.js';
import type { ToolProgress } from '../agent/agentLoop.js';
import type { StopLimit } from '../policy/runBudget.js';
import { CliFrontDoor } from './cliFrontDoor.js';
import {
  assertNotRoot,
  type CliIO,
  EXIT_FAILED,
  parseCommandArgs,
  UsageError,
} from './cliSupport.js';
import {
  checkSessionId,
  formatCost,
  sessionUsageError,
  untrustedNotice,
} from './sessionsCommand.js';
import { MarkdownStream, wantsColor } from './terminalMarkdown.js';

export const RUN_HELP = `Usage: omnipalm run "PROMPT" [--continue | --session ID] [--non-interactive] [--json] [--cwd DIR] [--allow-root]

Runs one task as a turn of a session (a new one, unless you continue one). The answer
streams to stdout (rendered on a terminal, raw markdown into a pipe); each tool call, each
confirmation and the final status go to stderr. Risky actions wait for your answer:
  [Y]es / [N]o / [L]ist files:    (A: allow this exact action for the rest of the task)
Without a terminal, or with --non-interactive, every action that needs a confirmation is
denied.

Options:
  --continue         continue the most recently active session (its turns are the context)
  --session ID       continue that session (ids: omnipalm sessions list)
  --non-interactive  deny every confirmation instead of asking
  --json             print the outcome as one JSON object on stdout (no streamed text)
  --cwd DIR          the task's working folder (inside security.allowed_paths;
                     default: the current folder if allowed, else the first allowed path)
  --allow-root       run as root anyway (or OMNIPALM_ALLOW_ROOT=1)

Exit codes:
  0 done   1 error   2 bad usage   3 an action was denied
  10 agent.max_iterations   11 agent.timeout   12 security.stop_on_error_count
  13 security.stop_on_cost_limit   130 stopped by Ctrl-C`;

export const EXIT_DENIED = 3;
export const EXIT_STOPPED: Record<StopLimit, number> = {
  max_iterations: 10,
  timeout: 11,
  stop_on_error_count: 12,
  stop_on_cost_limit: 13,
  aborted: 130,
};

export function exitCodeOf(outcome: Pick<CoreTaskOutcome, 'status' | 'stopReason'>): number {
  switch (outcome.status) {
    case 'done':
      return 0;
    case 'denied':
      return EXIT_DENIED;
    case 'stopped':
      return EXIT_STOPPED[outcome.stopReason?.limit ?? 'aborted'];
    default:
      return EXIT_FAILED;
  }
}

export interface RunStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** One line per tool call; on a terminal a spinner turns while it runs. */
export class ProgressLines {
  private timer: ReturnType<typeof setInterval> | undefined;
  private line = '';
  private frame = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly animate: boolean,
  ) {}

  update(progress: ToolProgress): void {
    if (progress.phase === 'start') {
      // The summary without its question: the question itself comes from the front door.
      const summary = progress.summary?.replace(/\s*Proceed\?$/, '') ?? '';
      this.line = `${progress.tool}${summary ? `  ${summary}` : ''}`;
      if (!this.animate) {
        this.out.write(`→ ${this.line}\n`);
        return;
      }
      this.resume();
      return;
    }
    this.pause();
    const mark = progress.status === 'ok' ? '✓' : '✗';
    const why = progress.text ? `: ${progress.text}` : '';
    this.out.write(`${mark} ${progress.tool}${why}\n`);
    this.line = '';
  }

  /** Clears the spinner line (before a question or streamed text). */
  pause(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.out.write('\r\x1b[2K');
  }

  resume(): void {
    if (!this.animate || !this.line || this.timer !== undefined) return;
    const draw = () => {
      this.out.write(`\r\x1b[2K${SPINNER[this.frame++ % SPINNER.length]} ${this.line}`);
    };
    draw();
    this.timer = setInterval(draw, 80);
    this.timer.unref();
  }
}

export async function runRunCommand(
  args: string[],
  io: CliIO,
  home: string,
  streams: RunStreams = process,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'run',
    args,
    {
      'non-interactive': { type: 'boolean' },
      json: { type: 'boolean' },
      continue: { type: 'boolean' },
      session: { type: 'string' },
      cwd: { type: 'string' },
      'allow-root': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    1,
  );
  if (values.help) {
    io.stdout(RUN_HELP);
    return 0;
  }
  const prompt = positionals[0]?.trim();
  if (!prompt) {
    throw new UsageError('run: say what to do, e.g. omnipalm run "Summarize ~/projects/notes.md"');
  }
  if (values.continue && values.session !== undefined) {
    throw new UsageError('run: --continue and --session name two sessions; pass one of them');
  }
  const askedSession =
    values.session === undefined ? undefined : checkSessionId('run', values.session);
  assertNotRoot(io, values['allow-root']);

  const core = await AgentCore.open({ home, env: io.env });
  const interactive = values['non-interactive'] !== true && streams.stdin.isTTY === true;
  const progress = new ProgressLines(streams.stderr, streams.stderr.isTTY === true);
  const stop = new AbortController();
  let door: CliFrontDoor | undefined;
  let detach: (() => void) | undefined;
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C: the user means it
    streams.stderr.write('\nstopping… (Ctrl-C again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const { sessionId, provider, cwd } = turnSetup(core, 'run', values, askedSession);
    if (interactive) {
      door = new CliFrontDoor(
        { input: streams.stdin, output: streams.stderr },
        { beforeShow: () => progress.pause(), afterAnswer: () => progress.resume() },
      );
      door.onInterrupt(onSigint);
      detach = core.broker.attach(door);
    } else if (values['non-interactive'] !== true) {
      streams.stderr.write(
        'note: stdin is not a terminal, so actions that need a confirmation will be denied (run it in a terminal to answer them)\n',
      );
    }
    const answer = new AnswerWriter(streams.stdout, io.env);
    const outcome = await core.runTask(prompt, {
      provider,
      cwd,
      signal: stop.signal,
      ...(sessionId === undefined ? {} : { sessionId }),
      onTool: (event) => {
        answer.endLine();
        progress.update(event);
      },
      ...(values.json
        ? {}
        : {
            onText: (text: string) => {
              progress.pause();
              answer.write(text);
            },
          }),
    });
    progress.pause();
    answer.endLine();
    const code = exitCodeOf(outcome);
    if (values.json) {
      streams.stdout.write(`${JSON.stringify({ ...outcome, exitCode: code })}\n`);
    }
    streams.stderr.write(`${describeOutcome(outcome)}\n`);
    if (!values.json) {
      const notice = untrustedNotice(
        outcome.untrustedSources,
        'run without --continue to start clean',
      );
      if (notice) streams.stderr.write(`${notice}\n`);
      streams.stderr.write(
        `session ${outcome.sessionId} (turn ${outcome.turnSeq}, ${formatCost(outcome.sessionCostUsd)} so far) — continue with: omnipalm run --continue "…"\n`,
      );
    }
    return code;
  } catch (error) {
    if (error instanceof TaskSetupError) throw new UsageError(`run: ${error.message}`);
    throw sessionUsageError('run', error);
  } finally {
    process.off('SIGINT', onSigint);
    detach?.();
    door?.close();
    await core.close();
  }
}

/** The most recently active session's id; none is bad usage of --continue. */
/**
 * What a turn from the terminal needs, checked in the order a user fixes things: the session
 * (an unknown id is a mistake to fix before any setup is looked at), then the setup (no key,
 * no allowed folder) — before anything else is printed.
 */
export function turnSetup(
  core: AgentCore,
  command: 'run' | 'chat',
  values: { continue?: boolean | undefined; cwd?: string | undefined },
  askedSession: string | undefined,
) {
  const sessionId = values.continue ? latestSessionId(core, command) : askedSession;
  try {
    if (sessionId !== undefined) core.checkSessionCanContinue(sessionId);
  } catch (error) {
    throw sessionUsageError(command, error);
  }
  const provider = core.provider();
  const cwd = core.taskFolder(path.resolve(values.cwd ?? process.cwd()), {
    strict: values.cwd !== undefined,
  });
  return { sessionId, provider, cwd };
}

export function latestSessionId(core: Pick<AgentCore, 'sessions'>, command: string): string {
  const latest = core.sessions.list({ limit: 1 }).sessions[0];
  if (!latest) {
    throw new UsageError(
      `${command}: --continue: there is no session to continue in this OMNIPALM_HOME yet; start one with omnipalm ${command} "…" (without --continue)`,
    );
  }
  return latest.id;
}

/**
 * The streamed answer: rendered markdown on a terminal (control characters shown, never
 * acted on), the model's text as it is into a pipe or file (`> answer.md` keeps markdown).
 */
export class AnswerWriter {
  private readonly markdown: MarkdownStream | undefined;
  private midLine = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    env: NodeJS.ProcessEnv,
  ) {
    if (out.isTTY === true) {
      this.markdown = new MarkdownStream((text) => out.write(text), {
        color: wantsColor(out, env),
      });
    }
  }

  write(text: string): void {
    if (this.markdown) {
      this.markdown.push(text);
      return;
    }
    this.out.write(text);
    this.midLine = !text.endsWith('\n');
  }

  /** Ends the line in progress (before a tool line, at the end of the answer). */
  endLine(): void {
    if (this.markdown) {
      this.markdown.end();
      return;
    }
    if (this.midLine) this.out.write('\n');
    this.midLine = false;
  }
}

export function describeOutcome(outcome: CoreTaskOutcome): string {
  const steps = `${outcome.iterations} step${outcome.iterations === 1 ? '' : 's'}, $${outcome.costUsd.toFixed(4)}`;
  switch (outcome.status) {
    case 'done':
      return `done (${steps})`;
    case 'denied':
      return `done, but refused: ${outcome.refused
        .map((refusal) => `${refusal.tool} (${refusal.reason})`)
        .join('; ')} (${steps})`;
    case 'stopped':
      return `stopped: ${outcome.stopReason?.message ?? 'stopped'} (${steps})`;
    default:
      return `error: ${outcome.error ?? 'unknown error'}`;
  }
}
