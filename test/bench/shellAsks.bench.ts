// How often a shell command asks, over real one-liners (issue 19): the NL2Bash corpus in
// test/bench/corpus (see its README for source and licence), each judged by the real bash
// parser and PolicyEnforcer as a user who turned shell confirmations off would have it —
// confirm_operations without execute_shell, the OS sandbox on. Prints the shares of allow /
// ask / deny, the ask and deny reasons ranked, and the cost per decision. Targets: at most 10%
// ask, at most 0.5 ms per decision. SHELL_ASKS_DUMP=<file> (or 1: a file under the temp folder)
// writes every command with its decision as JSON lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../../src-main/config/schema.js';
import { rateLimitsOf } from '../../src-main/policy/index.js';
import { PolicyEnforcer } from '../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../src-main/policy/shellAnalysis.js';
import type { PolicyDecision } from '../../src-main/policy/types.js';

const CORPUS = path.join(import.meta.dirname, 'corpus', 'nl2bash-commands.txt');
const ASK_TARGET = 0.1;
const COST_TARGET_MS = 0.5;

/** What kind of unknown part an ask names: the phrase that says it, without the words. */
const UNKNOWN_KIND =
  /runs inline code|reads commands from standard input|runs the commands in another file|schedules commands to run later|command name comes from an expansion|command name is a pattern|command substitution as program|runs a command line that is not literal|script does not parse|runs the script|runs commands \([^)]*\)|runs another program|runs a command on every piece|sends data with a part only known when it runs|changes what a command name runs|sets \w+|program has parts only known when it runs|script could not be read|runs a shell command|runs the result of a substitution|runs its input as shell commands|runs awk code from elsewhere|runs a script from a file|runs a string as a command line|path argument is not literal|path argument is a pattern|changes the directory|runs a command later|subcommand is only known|paths come from standard input/;

/**
 * A reason with its variable parts (the quoted words, the parenthesised detail) taken out; for
 * a part only known when the command runs, the kind of part stays (`perl … runs inline code`).
 */
function pattern(reason: string): string {
  const unknown = /^part of the command is only known when it runs \(/.exec(reason);
  let kind = '';
  if (unknown) {
    const detail = reason.slice(unknown[0].length);
    const found = UNKNOWN_KIND.exec(detail);
    const program = /^[\w.+-]+/.exec(detail)?.[0];
    if (found) kind = found.index > 0 && program ? `${program} … ${found[0]}` : found[0];
  }
  const general = reason
    .replace(/\((?:[^()]|\([^()]*\))*\)/g, '(…)')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\s+/g, ' ');
  const why = reason.slice(reason.lastIndexOf('): ') + 3);
  return (
    kind ? `part of the command is only known when it runs (${kind}): ${why}` : general
  ).slice(0, 160);
}

function ranked(counts: Map<string, number>, top: number): string[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([reason, count]) => `${count} × ${reason}`);
}

export async function run(): Promise<string[]> {
  if (!fs.existsSync(CORPUS)) return [`no corpus at ${CORPUS}: nothing measured`];
  const commands = fs
    .readFileSync(CORPUS, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-bench-asks-')));
  const homeDir = path.join(root, 'home');
  const work = path.join(homeDir, 'projects', 'app');
  fs.mkdirSync(work, { recursive: true });
  const configWith = (confirm: string[]) =>
    configSchema.parse({
      security: {
        allowed_paths: ['~/projects', '~/Documents', '/tmp/omnipalm'],
        require_confirmation: true,
        confirm_operations: confirm,
        sandbox: 'auto',
      },
    });
  // The user turned shell confirmations off; deletes, email and deploys still ask.
  const config = configWith(['delete', 'send_email', 'deploy']);
  const limiter = new RateLimiter({
    databaseFile: path.join(root, 'rate.sqlite'),
    limits: () => rateLimitsOf(config),
  });
  try {
    const shellAnalyzer = await ShellAnalyzer.create();
    const enforcerWith = (settings: typeof config) =>
      new PolicyEnforcer({
        config: settings,
        homeDir,
        omnipalmHome: path.join(homeDir, '.omnipalm'),
        shellAnalyzer,
        rateLimits: limiter,
        sandboxCanMakeReadOnly: true,
      });
    const enforcer = enforcerWith(config);
    const decide = (command: string): PolicyDecision =>
      enforcer.decide({ op: 'execute_shell', command, cwd: work }, { dryRun: true });
    // The classifier alone: every confirmation off, deletes included.
    const bare = enforcerWith(configWith([]));
    const bareCounts = { allow: 0, ask: 0, deny: 0 };
    for (const command of commands) {
      bareCounts[
        bare.decide({ op: 'execute_shell', command, cwd: work }, { dryRun: true }).decision
      ] += 1;
    }
    for (const command of commands) decide(command); // warm-up
    const times: number[] = [];
    const decisions: PolicyDecision[] = [];
    for (const command of commands) {
      const started = process.hrtime.bigint();
      decisions.push(decide(command));
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const counts = { allow: 0, ask: 0, deny: 0 };
    /** Asks the user chose: the command does an operation listed in confirm_operations. */
    let chosen = 0;
    const asks = new Map<string, number>();
    const denies = new Map<string, number>();
    for (const decision of decisions) {
      counts[decision.decision] += 1;
      if (decision.decision === 'allow') continue;
      if (decision.decision === 'ask' && / requires confirmation \(/.test(decision.reason)) {
        chosen += 1;
      }
      const table = decision.decision === 'ask' ? asks : denies;
      // An ask can have several reasons (joined by '; '): count each.
      const reasons = decision.decision === 'ask' ? decision.reason.split('; ') : [decision.reason];
      for (const reason of reasons) {
        const key = pattern(reason);
        table.set(key, (table.get(key) ?? 0) + 1);
      }
    }
    const dump = process.env.SHELL_ASKS_DUMP;
    if (dump) {
      const file = dump === '1' ? path.join(os.tmpdir(), 'omnipalm-shell-asks.jsonl') : dump;
      fs.writeFileSync(
        file,
        commands
          .map((command, index) => {
            const { decision, rule, reason } = decisions[index]!;
            return JSON.stringify({ command, decision, rule, reason });
          })
          .join('\n'),
      );
    }
    const share = (count: number) => `${((count / commands.length) * 100).toFixed(1)}%`;
    const sorted = [...times].sort((a, b) => a - b);
    const mean = times.reduce((sum, time) => sum + time, 0) / times.length;
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    return [
      `${commands.length} commands, shell confirmations off, sandbox on: allow ${share(counts.allow)} (${counts.allow}), ask ${share(counts.ask)} (${counts.ask}; target ≤ ${ASK_TARGET * 100}%), deny ${share(counts.deny)} (${counts.deny})`,
      `every confirmation off (deletes too): allow ${share(bareCounts.allow)}, ask ${share(bareCounts.ask)} (${bareCounts.ask}), deny ${share(bareCounts.deny)}`,
      `asks: ${share(chosen)} (${chosen}) do an operation the user listed in confirm_operations (${config.security.confirm_operations.join(', ')}); ${share(counts.ask - chosen)} (${counts.ask - chosen}) ask for the command alone`,
      ...ranked(asks, 25).map((line) => `ask reason: ${line}`),
      ...ranked(denies, 10).map((line) => `deny reason: ${line}`),
      `cost per decision: mean ${mean.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (target ≤ ${COST_TARGET_MS} ms)`,
    ];
  } finally {
    limiter.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
