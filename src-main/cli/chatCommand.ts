// `omnipalm chat`: a conversation in the terminal. Each prompt is a turn of one session (the
// earlier turns are its context); the answer streams in, rendered for the terminal; risky
// actions are asked inline exactly as `omnipalm run` asks them (the same CliFrontDoor, on
// this readline); Ctrl-C stops the turn and comes back to the prompt.
//
//   /new        a new session (the next prompt starts it)     /cost   this session's cost
//   /sessions   the recent sessions                           /exit   (or Ctrl-D) quit
//
// Ctrl-C at the prompt clears what was typed; at an empty prompt the first press says how to
// quit and a second one in a row quits. Without a terminal (a pipe), prompts are read line by
// line, one turn each, and every action that needs a confirmation is denied.
import readline from 'node:readline';
import { AgentCore, QUIT_REASON, TaskSetupError } from '../agent/core.js';
import type { ModelProvider } from '../agent/modelProvider.js';
import { CliFrontDoor } from './cliFrontDoor.js';
import { assertNotRoot, type CliIO, EXIT_OK, parseCommandArgs, UsageError } from './cliSupport.js';
import {
  AnswerWriter,
  describeOutcome,
  turnSetup,
  ProgressLines,
  type RunStreams,
} from './runCommand.js';
import {
  checkSessionId,
  formatCost,
  formatSessionList,
  sessionUsageError,
  untrustedNotice,
} from './sessionsCommand.js';
import { safeTerminalText } from './terminalMarkdown.js';

export const CHAT_HELP = `Usage: omnipalm chat [--continue | --session ID] [--cwd DIR] [--allow-root]

A conversation in the terminal: each prompt continues the session, with the earlier turns
as context. Answers stream in, rendered for the terminal; risky actions ask inline, as in
omnipalm run ([Y]es / [N]o / [L]ist …).

  /new        start a new session (a clean one: no context, no untrusted content)
  /sessions   the recent sessions (continue one with omnipalm chat --session ID)
  /cost       this session's cost, and the limit security.stop_on_cost_limit
  /exit       quit (or Ctrl-D)

Ctrl-C stops the running turn and returns to the prompt; at an empty prompt, press it twice
to quit. Without a terminal, prompts are read from stdin one line at a time, and actions
that need a confirmation are denied.

Options:
  --continue   continue the most recently active session
  --session ID continue that session (ids: omnipalm sessions list)
  --cwd DIR    the working folder (inside security.allowed_paths)
  --allow-root run as root anyway (or OMNIPALM_ALLOW_ROOT=1)`;

const PROMPT = '› ';
const NEW_SESSION_FIX = '/new to start clean';

interface ChatSetup {
  core: AgentCore;
  provider: ModelProvider;
  cwd: string;
  sessionId: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** Prompts as they are typed (or piped), one at a time; null once the input ended. */
class LineQueue {
  private readonly lines: string[] = [];
  private waiter: ((line: string | null) => void) | undefined;
  ended = false;

  push(line: string): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(line);
    } else this.lines.push(line);
  }

  end(): void {
    this.ended = true;
    this.waiter?.(null);
    this.waiter = undefined;
  }

  next(): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

class Chat {
  private sessionId: string | undefined;
  /** How many untrusted sources the user has been told about (the notice shows new ones). */
  private knownUntrusted = 0;
  private running: AbortController | undefined;
  private quitting = false;
  private interruptsAtPrompt = 0;
  private readonly tty: boolean;
  private readonly rl: readline.Interface;
  private readonly lines = new LineQueue();
  private readonly progress: ProgressLines;

  constructor(
    private readonly setup: ChatSetup,
    private readonly streams: RunStreams,
  ) {
    this.sessionId = setup.sessionId;
    this.tty = streams.stdin.isTTY === true;
    this.progress = new ProgressLines(streams.stderr, streams.stderr.isTTY === true);
    this.rl = readline.createInterface({
      input: streams.stdin,
      output: streams.stdout,
      terminal: this.tty,
      historySize: 500,
      prompt: PROMPT,
    });
  }

  private say(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  async run(): Promise<number> {
    const { core } = this.setup;
    let door: CliFrontDoor | undefined;
    let detach: (() => void) | undefined;
    if (this.tty) {
      door = new CliFrontDoor(
        { input: this.streams.stdin, output: this.streams.stdout },
        { beforeShow: () => this.progress.pause(), afterAnswer: () => this.progress.resume() },
        this.rl,
      );
      detach = core.broker.attach(door);
    } else {
      this.say(
        'note: stdin is not a terminal: prompts are read one line at a time, and actions that need a confirmation will be denied',
      );
    }
    this.rl.on('line', (line) => {
      // Typed while a turn runs (not an answer to a question): not queued as the next prompt,
      // where it could run unseen. A pipe's lines are the prompts to come, and wait their turn.
      if (this.tty && this.running) {
        this.say('(a turn is running: type after it ends, or Ctrl-C to stop it)');
        return;
      }
      this.lines.push(line);
    });
    this.rl.on('close', () => {
      // Ctrl-D on a terminal quits, also during a turn; a pipe's end only ends the input.
      if (this.tty) this.quit();
      this.lines.end();
    });
    this.rl.on('SIGINT', () => this.interrupt());
    const onSigint = () => this.interrupt();
    const onQuit = () => this.quit();
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onQuit);
    process.on('SIGHUP', onQuit);
    try {
      this.greet();
      for (;;) {
        if (this.quitting) break;
        if (this.tty) this.rl.prompt();
        const line = await this.lines.next();
        if (line === null) break;
        const text = line.trim();
        if (text === '') continue;
        this.interruptsAtPrompt = 0;
        if (text.startsWith('/')) {
          if (!this.command(text)) break;
          continue;
        }
        await this.turn(text);
      }
      return EXIT_OK;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onQuit);
      process.off('SIGHUP', onQuit);
      this.progress.pause();
      detach?.();
      door?.close();
      this.rl.close();
    }
  }

  private greet(): void {
    const { core } = this.setup;
    if (this.sessionId === undefined) {
      this.say('omnipalm chat — your first prompt starts a new session');
    } else {
      const session = core.sessions.get(this.sessionId);
      this.say(
        `omnipalm chat — continuing session ${session.id} "${safeTerminalText(session.title)}" (${session.turnCount} turns, ${formatCost(session.costUsd)})`,
      );
      this.noteUntrusted(session.untrustedSources);
    }
    this.say('/new · /sessions · /cost · /exit — Ctrl-C stops a turn');
  }

  /** Says once that the session carries untrusted content, and again when more came in. */
  private noteUntrusted(sources: readonly string[]): void {
    if (sources.length <= this.knownUntrusted) return;
    this.knownUntrusted = sources.length;
    this.say(untrustedNotice(sources, NEW_SESSION_FIX));
  }

  /** Ctrl-C: stops the turn; at the prompt clears the line, or quits on a second press. */
  private interrupt(): void {
    if (this.running) {
      this.say('\nstopping the turn…');
      this.running.abort();
      return;
    }
    if (this.tty && this.rl.line !== '') {
      // What was typed is dropped, as a shell does.
      this.rl.write(null, { ctrl: true, name: 'u' });
      this.streams.stdout.write('\n');
      this.rl.prompt();
      return;
    }
    this.interruptsAtPrompt += 1;
    if (this.interruptsAtPrompt >= 2 || !this.tty) {
      this.quit();
      this.lines.end();
      return;
    }
    this.streams.stdout.write('\n');
    this.say('(press Ctrl-C again to quit, or type /exit)');
    this.rl.prompt();
  }

  /** The program is ending: a running turn is marked interrupted (not stopped by the user). */
  private quit(): void {
    this.quitting = true;
    this.running?.abort(QUIT_REASON);
  }

  /** A slash command; false when the chat should end. */
  private command(text: string): boolean {
    const { core } = this.setup;
    const [name] = text.split(/\s+/);
    switch (name) {
      case '/exit':
      case '/quit':
        return false;
      case '/new':
        this.sessionId = undefined;
        this.knownUntrusted = 0;
        this.say('new session: your next prompt starts it, with no earlier context');
        return true;
      case '/sessions': {
        const { sessions } = core.sessions.list({ limit: 10 });
        if (sessions.length === 0) this.say('no sessions yet');
        const rows = formatSessionList(
          sessions.map((session) => ({
            ...session,
            turnCount: core.sessions.get(session.id).turnCount,
          })),
        );
        for (const [index, row] of rows.entries()) {
          const current = index > 0 && sessions[index - 1]?.id === this.sessionId;
          this.say(`${current ? '*' : ' '} ${row}`);
        }
        if (sessions.length > 0) this.say('continue one with: omnipalm chat --session ID');
        return true;
      }
      case '/cost': {
        const limit = formatCost(core.config.security.stop_on_cost_limit);
        const cost = this.sessionId === undefined ? 0 : core.sessions.get(this.sessionId).costUsd;
        this.say(
          `${this.sessionId === undefined ? 'new session' : `session ${this.sessionId}`}: ${formatCost(cost)} of ${limit} (security.stop_on_cost_limit, per session)`,
        );
        return true;
      }
      case '/help':
        this.say('/new · /sessions · /cost · /exit — Ctrl-C stops a turn');
        return true;
      default:
        this.say(
          `unknown command ${safeTerminalText(name ?? '')} (try /new, /sessions, /cost or /exit)`,
        );
        return true;
    }
  }

  private async turn(prompt: string): Promise<void> {
    const { core, provider, cwd, env } = this.setup;
    const stop = new AbortController();
    this.running = stop;
    const answer = new AnswerWriter(this.streams.stdout, env);
    try {
      const outcome = await core.runTask(prompt, {
        provider,
        cwd,
        signal: stop.signal,
        ...(this.sessionId === undefined ? {} : { sessionId: this.sessionId }),
        onStart: (turn) => (this.sessionId = turn.sessionId),
        onTool: (event) => {
          answer.endLine();
          this.progress.update(event);
        },
        onText: (text) => {
          this.progress.pause();
          answer.write(text);
        },
      });
      this.progress.pause();
      answer.endLine();
      this.sessionId = outcome.sessionId;
      this.say(`${describeOutcome(outcome)} · session ${formatCost(outcome.sessionCostUsd)}`);
      this.noteUntrusted(outcome.untrustedSources);
    } catch (error) {
      this.progress.pause();
      answer.endLine();
      // A setup problem (config.yaml became invalid) or a busy session: said, and the chat
      // goes on so the user can fix it and try again. Anything else is a bug: it ends the chat.
      const said = error instanceof TaskSetupError ? error : sessionUsageError('chat', error);
      if (said === error && !(error instanceof TaskSetupError)) throw error;
      this.say(`omnipalm: ${(said as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }
}

export async function runChatCommand(
  args: string[],
  io: CliIO,
  home: string,
  streams: RunStreams = process,
): Promise<number> {
  const { values } = parseCommandArgs(
    'chat',
    args,
    {
      continue: { type: 'boolean' },
      session: { type: 'string' },
      cwd: { type: 'string' },
      'allow-root': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    0,
  );
  if (values.help) {
    io.stdout(CHAT_HELP);
    return EXIT_OK;
  }
  if (values.continue && values.session !== undefined) {
    throw new UsageError('chat: --continue and --session name two sessions; pass one of them');
  }
  const askedSession =
    values.session === undefined ? undefined : checkSessionId('chat', values.session);
  assertNotRoot(io, values['allow-root']);

  const core = await AgentCore.open({ home, env: io.env });
  try {
    // The session, then setup problems (no key, no folder): before the first prompt.
    const { sessionId, provider, cwd } = turnSetup(core, 'chat', values, askedSession);
    return await new Chat({ core, provider, cwd, sessionId, env: io.env }, streams).run();
  } catch (error) {
    if (error instanceof TaskSetupError) throw new UsageError(`chat: ${error.message}`);
    throw error;
  } finally {
    await core.close();
  }
}
