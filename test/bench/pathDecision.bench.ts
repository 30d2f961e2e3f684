// Path decisions per second against a bare fs.realpathSync.native loop over the same paths,
// in the same run (target: a decision costs at most 2× the bare realpath). Best of several
// interleaved rounds, since these machines are noisy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../../src-main/config/schema.js';
import { PolicyEnforcer } from '../../src-main/policy/policyEnforcer.js';
import { PathGuard } from '../../src-main/policy/pathGuard.js';
import { RateLimiter } from '../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../src-main/policy/shellAnalysis.js';
import { rateLimitsOf } from '../../src-main/policy/index.js';

function perSecond(count: number, action: () => void): number {
  const start = process.hrtime.bigint();
  action();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(): Promise<string[]> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-bench-')));
  try {
    const homeDir = path.join(root, 'home');
    const paths: string[] = [];
    for (let folder = 0; folder < 20; folder++) {
      const dir = path.join(homeDir, 'projects', `module${folder}`, 'src', 'components');
      fs.mkdirSync(dir, { recursive: true });
      for (let file = 0; file < 10; file++) {
        const name = path.join(dir, `file${file}.ts`);
        fs.writeFileSync(name, '');
        paths.push(name);
      }
    }
    fs.mkdirSync(path.join(homeDir, '.ssh'), { recursive: true });
    const options = {
      allowed: ['~/projects', '~/Documents', '/tmp/omnipalm'],
      blocked: [
        '~/.ssh',
        '~/.aws',
        '~/.gnupg',
        '~/.kube',
        '~/.docker',
        '~/.netrc',
        '~/projects/secrets',
      ],
      homeDir,
      omnipalmHome: path.join(homeDir, '.omnipalm'),
    };
    const guard = new PathGuard(options);
    const config = configSchema.parse({
      security: { allowed_paths: options.allowed, blocked_paths: options.blocked },
    });
    const limiter = new RateLimiter({
      databaseFile: path.join(root, 'rate.sqlite'),
      limits: () => rateLimitsOf(config),
    });
    const enforcer = new PolicyEnforcer({
      config,
      homeDir,
      omnipalmHome: options.omnipalmHome,
      shellAnalyzer: await ShellAnalyzer.create(),
      rateLimits: limiter,
      sandboxCanMakeReadOnly: true,
    });

    const rounds = 7;
    const repeat = 50;
    const count = paths.length * repeat;
    let bare = 0;
    let judged = 0;
    let decided = 0;
    for (let round = 0; round < rounds; round++) {
      bare = Math.max(
        bare,
        perSecond(count, () => {
          for (let i = 0; i < repeat; i++) for (const p of paths) fs.realpathSync.native(p);
        }),
      );
      judged = Math.max(
        judged,
        perSecond(count, () => {
          for (let i = 0; i < repeat; i++) for (const p of paths) guard.judge(p);
        }),
      );
      decided = Math.max(
        decided,
        perSecond(count / 10, () => {
          for (let i = 0; i < repeat / 10; i++)
            for (const p of paths) enforcer.decide({ op: 'read', paths: [p] }, { dryRun: true });
        }),
      );
    }
    limiter.close();
    const fmt = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
    return [
      `bare realpathSync.native ${fmt(bare)} (baseline)`,
      `PathGuard.judge ${fmt(judged)} — costs ${(bare / judged).toFixed(2)}× the bare realpath (target ≤ 2×)`,
      `PolicyEnforcer.decide(read, dry run incl. rate-limit peek) ${fmt(decided)} — ${(bare / decided).toFixed(2)}× the bare realpath`,
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
