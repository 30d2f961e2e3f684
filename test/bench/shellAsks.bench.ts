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

/** A reason with its variable parts (the quoted words, the parenthesised detail) taken out. */
function pattern(reason: string): string {
  return reason
    .replace(/\((?:[^()]|\([^()]*\))*\)/g, '(…)')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\s+/g, ' ')
    .slice(0, 160);
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
  const config = configSchema.parse({
    security: {
      allowed_paths: ['~/projects', '~/Documents', '/tmp/omnipalm'],
      require_confirmation: true,
      // The user turned shell confirmations off; deletes, email and deploys still ask.
      confirm_operations: ['delete', 'send_email', 'deploy'],
      sandbox: 'auto',
    },
  });
  const limiter = new RateLimiter({
    databaseFile: path.join(root, 'rate.sqlite'),
    limits: () => rateLimitsOf(config),
  });
  try {
    const enforcer = new PolicyEnforcer({
      config,
      homeDir,
      omnipalmHome: path.join(homeDir, '.omnipalm'),
      shellAnalyzer: await ShellAnalyzer.create(),
      rateLimits: limiter,
      sandboxCanMakeReadOnly: true,
    });
    const decide = (command: string): PolicyDecision =>
      enforcer.decide({ op: 'execute_shell', command, cwd: work }, { dryRun: true });
    for (const command of commands) decide(command); // warm-up
    const times: number[] = [];
    const decisions: PolicyDecision[] = [];
    for (const command of commands) {
      const started = process.hrtime.bigint();
      decisions.push(decide(command));
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const counts = { allow: 0, ask: 0, deny: 0 };
    const asks = new Map<string, number>();
    const denies = new Map<string, number>();
    for (const decision of decisions) {
      counts[decision.decision] += 1;
      if (decision.decision === 'allow') continue;
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
      ...ranked(asks, 10).map((line) => `ask reason: ${line}`),
      ...ranked(denies, 10).map((line) => `deny reason: ${line}`),
      `cost per decision: mean ${mean.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (target ≤ ${COST_TARGET_MS} ms)`,
    ];
  } finally {
    limiter.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
