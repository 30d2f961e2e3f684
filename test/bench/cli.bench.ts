// Start-up of the `omnipalm` command as users run it (bin/omnipalm.mjs → the bundle in
// out/cli, built here first from the current source), against `node -e 0` in the same run:
// the ratio is what the CLI adds to starting Node at all. Targets: --version ≤ 1.5×,
// `policy check --op read` ≤ 2.5×, `config get` ≤ 2×. The commands are spawned in turn,
// round after round, so that load from other processes falls on all of them alike; the
// figure is the median of each. `config get` and `policy check` answer from the validated-config
// cache (state/config-cache.json) that any full load writes; the same commands without it
// (the first start after config.yaml changes) are measured too, without a target.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCli, REPO_ROOT } from '../../scripts/build-cli.mjs';

const ROUNDS = 25;
const BIN = path.join(REPO_ROOT, 'bin', 'omnipalm.mjs');

interface Case {
  label: string;
  args: string[];
  /** Ratio to `node -e 0` not to exceed; undefined for the baseline and the cache misses. */
  target?: number;
  /** Run before each timed start (not timed). */
  before?: () => void;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function timeOnce(args: string[], env: NodeJS.ProcessEnv, before?: () => void): number {
  before?.();
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const elapsed = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return elapsed;
}

export async function run(): Promise<string[]> {
  await buildCli();
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-cli-bench-')));
  try {
    const home = path.join(root, 'home');
    const omnipalmHome = path.join(home, '.omnipalm');
    const file = path.join(home, 'projects', 'notes.txt');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'notes\n');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      OMNIPALM_HOME: omnipalmHome,
      OMNIPALM_ALLOW_ROOT: '1',
    };
    const dropCache = () =>
      fs.rmSync(path.join(omnipalmHome, 'state', 'config-cache.json'), { force: true });
    const cases: Case[] = [
      { label: 'node -e 0', args: ['-e', '0'] },
      { label: 'omnipalm --version', args: [BIN, '--version'], target: 1.5 },
      {
        label: 'omnipalm policy check --op read --path P',
        args: [BIN, 'policy', 'check', '--op', 'read', '--path', file],
        target: 2.5,
      },
      {
        label: 'omnipalm config get agent.timeout',
        args: [BIN, 'config', 'get', 'agent.timeout'],
        target: 2,
      },
      {
        label: 'omnipalm policy check --op read --path P, no cache',
        args: [BIN, 'policy', 'check', '--op', 'read', '--path', file],
        before: dropCache,
      },
      {
        label: 'omnipalm config get agent.timeout, no cache',
        args: [BIN, 'config', 'get', 'agent.timeout'],
        before: dropCache,
      },
    ];
    // A user's config.yaml, as the guide's first step writes it (so yaml parses a real file).
    timeOnce([BIN, 'config', 'set', 'security.allowed_paths', JSON.stringify([home])], env);
    // One untimed round: the first start reads every file from disk, and the policy check
    // creates its rate-limit database.
    for (const { args, before } of cases) timeOnce(args, env, before);
    const times = cases.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      cases.forEach(({ args, before }, index) => times[index]!.push(timeOnce(args, env, before)));
    }
    const baseline = median(times[0]!);
    const lines = [`node -e 0: ${baseline.toFixed(0)} ms (median of ${ROUNDS})`];
    cases.slice(1).forEach(({ label, target }, index) => {
      const figure = median(times[index + 1]!);
      const ratio = figure / baseline;
      const verdict =
        target === undefined ? '' : ` (target ≤ ${target}×) ${ratio <= target ? 'ok' : 'MISSED'}`;
      lines.push(`${label}: ${figure.toFixed(0)} ms = ${ratio.toFixed(2)}× node -e 0${verdict}`);
    });
    return lines;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
