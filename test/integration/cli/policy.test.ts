// `omnipalm policy check` as a real child process.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/runCli.js';
import { makeTempHome } from '../../support/tempFolders.js';

function homeWith(config: string): { home: string; work: string } {
  const home = makeTempHome();
  const work = path.join(path.dirname(home), 'work');
  fs.mkdirSync(path.join(work, 'secrets'), { recursive: true });
  fs.mkdirSync(home, { mode: 0o700 });
  fs.writeFileSync(path.join(home, 'config.yaml'), config.replaceAll('$WORK', work), {
    mode: 0o600,
  });
  return { home, work };
}

const CONFIG = 'security:\n  allowed_paths: [$WORK]\n  blocked_paths: [$WORK/secrets]\n';

describe.concurrent('omnipalm policy check', () => {
  it('prints the decision as JSON with exactly decision, reason, risk and rule', async () => {
    const { home, work } = homeWith(CONFIG);
    const result = await runCli(
      ['policy', 'check', '--op', 'delete', '--path', `${work}/old.log`, '--json'],
      { home },
    );
    expect(result.code, result.stderr).toBe(0);
    const decision = JSON.parse(result.stdout);
    expect(Object.keys(decision).sort()).toEqual(['decision', 'reason', 'risk', 'rule']);
    expect(decision).toMatchObject({
      decision: 'ask',
      risk: 'high',
      rule: 'security.confirm_operations',
    });
  });

  it('exits 0 on a deny, and explains it in text form', async () => {
    const { home, work } = homeWith(CONFIG);
    const result = await runCli(
      ['policy', 'check', '--op', 'read', '--path', `${work}/secrets/key`],
      { home },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^deny \(risk low, rule security\.blocked_paths\): .*inside blocked path/,
    );
  });

  it('judges shell commands in their working folder', async () => {
    const { home, work } = homeWith(CONFIG);
    const result = await runCli(
      [
        'policy',
        'check',
        '--op',
        'execute_shell',
        '--command',
        'rm -rf build && git push',
        '--cwd',
        work,
        '--json',
      ],
      { home },
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'ask', risk: 'high' });
    const text = await runCli(
      [
        'policy',
        'check',
        '--op',
        'execute_shell',
        '--command',
        'rm -rf build && git push',
        '--cwd',
        work,
      ],
      { home },
    );
    expect(text.stdout).toContain(`deletes ${work}/build`);
    expect(text.stdout).toContain('deploy: git push');
  });

  it('does not charge the rate limits', async () => {
    const { home, work } = homeWith(`${CONFIG}  rate_limits:\n    file_operations_per_minute: 1\n`);
    const args = ['policy', 'check', '--op', 'read', '--path', `${work}/a.txt`, '--json'];
    for (let i = 0; i < 3; i++) {
      expect(JSON.parse((await runCli(args, { home })).stdout).decision).toBe('allow');
    }
  });

  it('answers bad arguments with exit 2 and one line', async () => {
    const { home, work } = homeWith(CONFIG);
    const cases: [string[], string][] = [
      [['policy', 'check'], '--op is required'],
      [['policy', 'check', '--op', 'nuke'], 'unknown operation "nuke"'],
      [['policy', 'check', '--op', 'read'], '--op read needs --path'],
      [
        ['policy', 'check', '--op', 'read', '--path', work, '--to', 'a@b.c'],
        '--to does not apply to --op read',
      ],
      [['policy', 'check', '--op', 'send_email', '--to'], "Option '--to <value>' argument missing"],
      [['policy', 'frobnicate'], 'policy: unknown command "frobnicate"'],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { home })));
    results.forEach((result, index) => {
      expect(result.code, cases[index]![0].join(' ')).toBe(2);
      expect(result.stderr).toContain(cases[index]![1]);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  });
});
