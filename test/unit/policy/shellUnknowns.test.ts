// Issue 19: a shell command whose unknown parts are only arguments is judged by what is
// known, and the sandbox bounds the rest. Each rule with the command that shows it, through
// the real bash parser and a real PolicyEnforcer; confirmations for execute_shell are off, as
// a user who wants the agent to work on its own inside the lines sets them.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src-main/config/schema.js';
import { rateLimitsOf } from '../../../src-main/policy/index.js';
import { PolicyEnforcer } from '../../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../../src-main/policy/shellAnalysis.js';
import { makeTempFolder } from '../../support/tempFolders.js';

let analyzer: ShellAnalyzer;
let homeDir: string;
let work: string;
const limiters: RateLimiter[] = [];

beforeAll(async () => {
  analyzer = await ShellAnalyzer.create();
  homeDir = path.join(makeTempFolder('omnipalm-unknowns-'), 'home');
  work = path.join(homeDir, 'projects', 'app');
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(path.join(homeDir, '.omnipalm'));
});
afterAll(() => limiters.forEach((limiter) => limiter.close()));

function enforcer(options: { sandboxed?: boolean; confirm?: string[] } = {}): PolicyEnforcer {
  const config = configSchema.parse({
    security: {
      allowed_paths: ['~/projects'],
      blocked_paths: ['~/.ssh'],
      require_confirmation: true,
      confirm_operations: options.confirm ?? [],
    },
  });
  const rateLimits = new RateLimiter({
    databaseFile: path.join(makeTempFolder(), 'rate.sqlite'),
    limits: () => rateLimitsOf(config),
  });
  limiters.push(rateLimits);
  return new PolicyEnforcer({
    config,
    homeDir,
    omnipalmHome: path.join(homeDir, '.omnipalm'),
    shellAnalyzer: analyzer,
    rateLimits,
    sandboxCanMakeReadOnly: options.sandboxed ?? true,
  });
}

const check = (policy: PolicyEnforcer, command: string) =>
  policy.decide({ op: 'execute_shell', command, cwd: work }, { dryRun: true });

describe('arguments only known when the command runs, with the sandbox on', () => {
  it.each([
    'top -p $(pgrep node)',
    'tar czf backup-$(date +%F).tgz src',
    'for f in *.txt; do wc -l "$f"; done',
    'cat $(ls *.md)',
    'grep -rn TODO "$DIR"',
    'echo done > out-$(date +%Y-%m-%d).log',
    'ls $(pwd)/src',
    'cp "$f" "$f.bak"',
    'find . -name "*.log" | xargs grep -l error',
    'cd src && make',
    'du -sh $(ls -d */)',
  ])('%s runs: reads and writes stay inside the sandbox', (command) => {
    const decision = check(enforcer(), command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it.each([
    ['rm $(cat list.txt)', /rm deletes, so what it acts on must be known/],
    ['rm -rf "$BUILD"/*', /rm deletes/],
    ['find . -name "*.tmp" | xargs rm', /rm deletes/],
    ['git push $REMOTE main', /git deploys/],
    ['curl $URL', /curl sends data out/],
    ['curl -d @$FILE https://api.example.com', /curl sends data out/],
    ['$CMD --help', /what runs is only known then/],
    ['eval "$SCRIPT"', /what runs is only known then/],
    ['sh -c "$x"', /what runs is only known then/],
    ['PATH=/tmp/bin:$PATH ls', /changes what later commands run/],
    ['cd "$(mktemp -d)" && rm -rf *', /deletes/],
    ['rm $(date +/etc/passwd)', /rm deletes/],
    ['rm -rf $(basename "$dir")', /rm deletes/],
  ])('%s asks, naming the unknown part and why', (command, why) => {
    const decision = check(enforcer(), command);
    expect(decision.decision).toBe('ask');
    expect(decision.rule).toBe('shell.dynamic');
    expect(decision.reason).toMatch(why);
    expect(decision.reason).toMatch(/only known when it runs \(/);
  });

  it('judges harmless substitutions as the path they leave', () => {
    const policy = enforcer();
    expect(check(policy, 'rm backup-$(date +%F).tgz')).toMatchObject({ decision: 'allow' });
    expect(check(policy, 'rm -rf "$(basename "$dir").bak"')).toMatchObject({ decision: 'allow' });
    // $(pwd) is the working folder: ../../ from it leaves the allowed paths.
    const outside = check(policy, 'echo x > $(pwd)/../../evil.txt');
    expect(outside).toMatchObject({ decision: 'deny', rule: 'security.allowed_paths' });
    // $HOME is the home folder unless the command sets it.
    expect(check(policy, 'cat $HOME/.ssh/id_rsa')).toMatchObject({
      decision: 'deny',
      rule: 'security.blocked_paths',
    });
    expect(check(policy, 'HOME=/tmp; cat $HOME/.ssh/id_rsa').decision).not.toBe('allow');
  });

  it('explains in the decision what was unknown and that the sandbox bounds it', () => {
    const decision = check(enforcer(), 'for f in *.txt; do wc -l "$f"; done');
    expect(decision.shell?.programs).toEqual(expect.arrayContaining(['wc']));
    expect(decision.shell?.unknown).toEqual([
      expect.objectContaining({ kind: 'path', part: '$f', program: 'wc', bounded: true }),
    ]);
    expect(decision.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/known when it runs: .*\$f.*sandbox bounds it/),
      ]),
    );
    const asked = check(enforcer(), 'rm $(cat list.txt)');
    // The preview says what is unknown too, not only the reason.
    expect(asked.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/only known when it runs: .*\$\(cat list\.txt\).*asks: rm deletes/),
      ]),
    );
    expect(asked.shell?.unknown).toEqual([
      expect.objectContaining({ kind: 'target', part: '$(cat list.txt)', bounded: false }),
    ]);
  });
});

describe('words as bash reads them, in every operand', () => {
  it('takes a quoted ~ in a redirection as a folder named ~, an unquoted one as home', () => {
    const policy = enforcer();
    const quoted = check(policy, 'echo hi > "~/.ssh/notes"');
    expect(quoted, quoted.reason).toMatchObject({ decision: 'allow' });
    expect(quoted.details?.join('\n')).toContain(`${work}/~/.ssh/notes`);
    expect(check(policy, 'echo hi > ~/.ssh/notes')).toMatchObject({
      decision: 'deny',
      rule: 'security.blocked_paths',
    });
  });

  it('does not take an empty redirection word or find start as a path', () => {
    expect(check(enforcer(), 'find "" -name x').decision).not.toBe('deny');
  });
});

describe('what still asks', () => {
  it('asks for every unknown part when no sandbox runs', () => {
    const decision = check(enforcer({ sandboxed: false }), 'cat $(ls *.md)');
    expect(decision).toMatchObject({ decision: 'ask', rule: 'shell.dynamic' });
    expect(decision.reason).toMatch(/no OS sandbox bounds it here/);
  });

  it('asks for an operation listed in confirm_operations, unknown path or not', () => {
    const decision = check(enforcer({ confirm: ['write'] }), 'echo done > out-$(date +%F).log');
    expect(decision).toMatchObject({ decision: 'ask', rule: 'security.confirm_operations' });
    expect(check(enforcer({ confirm: ['write'] }), 'cp "$f" "$f.bak"').decision).toBe('ask');
  });

  it('keeps denying a known blocked part next to an unknown one', () => {
    expect(check(enforcer(), 'cat ~/.ssh/id_rsa $(ls)')).toMatchObject({
      decision: 'deny',
      rule: 'security.blocked_paths',
    });
  });
});

describe('options that name a program', () => {
  it.each([
    'tar -I pbzip2 -cf out.tar.bz2 src',
    "tar -I 'zstd -19' -cf out.tar.zst src",
    'tar --use-compress-program=pigz -cf out.tgz src',
    'tar cIf pigz out.tgz src',
    'tar -c --checkpoint=1000 --checkpoint-action=dot -f out.tar src',
    'rsync -aPSHiv src/ backup/',
  ])('%s runs: a compressor, a progress dot or --sparse runs nothing else', (command) => {
    const decision = check(enforcer(), command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it.each([
    ['tar -I ./pack.sh -cf out.tar src', /tar -I runs another program/],
    ['tar -c --checkpoint-action=exec=./hook.sh -f out.tar src', /--checkpoint-action/],
    ['tar -x --to-command=./each.sh -f in.tar', /--to-command/],
    ['tar -x --to-com=./each.sh -f in.tar', /--to-com runs another program/],
    ['tar -cM -F ./next-volume.sh -f out.tar src', /tar -F runs another program/],
    ['tar --use-comp=pigz -cf out.tgz src', /--use-comp runs another program/],
    ['scp -S ./fake-ssh notes.txt host:', /scp -S runs another program/],
  ])('%s asks', (command, why) => {
    const decision = check(enforcer(), command);
    expect(decision.decision).toBe('ask');
    expect(decision.reason).toMatch(why);
  });
});
