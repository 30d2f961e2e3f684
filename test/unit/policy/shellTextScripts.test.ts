// sed scripts and awk programs are programs: GNU sed's `e` and `s///e` run shell commands,
// `w`/`r` write and read files; awk's system(), pipes, `print > file` and `getline < file` do
// the same. Each rule with the command that shows it, through the real bash parser and a real
// PolicyEnforcer with shell confirmations off and the sandbox on — and, for the commands that
// only filter text, that they still run without asking.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awkEffects, sedEffects } from '../../../src-main/policy/shell/textScripts.js';
import { shellPolicy, type ShellPolicy } from '../../support/shellPolicy.js';

let shell: ShellPolicy;
let homeDir: string;

beforeAll(async () => {
  shell = await shellPolicy('omnipalm-textscripts-');
  homeDir = shell.homeDir;
});
afterAll(() => shell.close());

const check = (command: string) => shell.check(command);

describe('sed scripts', () => {
  it.each([
    ["sed 's/x/rm -rf ~/e' notes.txt", /s\/\/\/e/],
    [
      "sed -n '1e rm -rf ~/projects' notes.txt",
      /sed runs a shell command \(e rm -rf ~\/projects\)/,
    ],
    ["sed '$!N;e' notes.txt", /sed runs its input as shell commands/],
    ["sed -e 's/a/b/' -e '2e date' notes.txt", /sed runs a shell command/],
    ["sed 's/a/b/;e curl x.example' notes.txt", /sed runs a shell command/],
    ["sed '/[/]/ s/x/y/ge' notes.txt", /s\/\/\/e/],
    ['sed -f fix.sed notes.txt', /sed -f runs a script from a file/],
    ['sed "s/a/$NEW/" notes.txt', /sed program has parts only known when it runs/],
    ["sed 's/a/b/;q' notes.txt' extra", /could not be parsed|could not be read/],
  ])('%s asks, naming why', (command, why) => {
    const decision = check(command);
    expect(decision.decision).toBe('ask');
    expect(decision.reason).toMatch(why);
  });

  it.each([
    ["sed 'w /etc/cron.d/job' notes.txt", /"\/etc\/cron.d\/job" \(written by sed\) is outside/],
    ["sed 's/a/b/w /etc/cron.d/job' notes.txt", /"\/etc\/cron.d\/job" \(written by sed\)/],
  ])('%s is judged by the file its script names', (command, why) => {
    const decision = check(command);
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toMatch(why);
  });

  it.each(['1r', 'R'])('sed %s of a file in a blocked folder is denied', (read) => {
    const key = path.join(homeDir, '.ssh', 'id_rsa');
    const decision = check(`sed '${read} ${key}' notes.txt`);
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toMatch(/\(read by sed\).*inside blocked path ~\/\.ssh/);
  });

  it('a file name in a sed script is taken as written: sed does not expand ~', () => {
    expect(sedEffects('r ~/.ssh/id_rsa').reads[0]).toMatchObject({
      value: '~/.ssh/id_rsa',
      literalTilde: true,
    });
    // So it names ./~/.ssh/id_rsa in the working folder, which is allowed.
    expect(check("sed 'r ~/.ssh/id_rsa' notes.txt").decision).toBe('allow');
  });

  it.each([
    "sed -i 's/foo/bar/g' notes.txt",
    "sed -n '/start/,/end/p' notes.txt",
    "sed 's/[/]/x/;s|a|b|g;y/abc/xyz/' notes.txt",
    "sed -e ':a' -e 'N;$!ba' -e 's/\\n/ /g' notes.txt",
    "sed '0,/re/s//X/;1~2d;$a last line; e is text here' notes.txt",
    "sed -E 's/(a)/\\1\\1/2;s/#e/x/' notes.txt",
    "sed 's/a/b/w out.txt' notes.txt",
    "sed -i .bak 's/a/b/' notes.txt",
    "sed -i '' 's/a/b/' notes.txt",
    "sed --sandbox 's/a/b/e' notes.txt",
    "sed '/x/{s/a/b/;p}' notes.txt",
  ])('%s runs', (command) => {
    const decision = check(command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it('reads the scripts GNU sed reads, the way it reads them', () => {
    // GNU sed (Debian's, as on every machine these tests run on) reads [/] as one class.
    const out = execFileSync('sed', ['s/[/]/x/;s/#e/Q/'], { input: 'a/#e\n' }).toString();
    expect(out).toBe('axQ\n');
    expect(sedEffects('s/[/]/x/;s/#e/Q/').runs).toBeUndefined();
    expect(sedEffects('s/[/]/x/e').runs).toMatch(/s\/\/\/e/);
    expect(sedEffects('a text; e not a command').runs).toBeUndefined();
    expect(sedEffects('a\\\ntext\ne date').runs).toMatch(/e date/);
    expect(sedEffects('s/a/b/w out; e date').writes.map((word) => word.value)).toEqual([
      'out; e date',
    ]);
  });
});

describe('awk programs', () => {
  it.each([
    ['awk \'{ system("rm " $1) }\' list.txt', /awk program runs commands \(system\(\)\)/],
    ['awk \'{ print | "sh" }\' list.txt', /awk program runs commands \(a pipe/],
    ['awk \'{ "date" | getline d; print d }\' list.txt', /a pipe/],
    ['awk \'{ print $1 |& "cat" }\' list.txt', /a pipe/],
    ['awk \'/x/ { print } /y/ { system("id") }\' list.txt', /system/],
    ['awk \'BEGIN { f = "system"; @f("id") }\'', /by name/],
    ['awk -f prog.awk list.txt', /awk -f runs awk code/],
    ["gawk -i inplace '{ print }' list.txt", /awk -i runs awk code/],
    ['awk "{ print $COLUMN }" list.txt', /awk program has parts only known when it runs/],
  ])('%s asks, naming why', (command, why) => {
    const decision = check(command);
    expect(decision.decision).toBe('ask');
    expect(decision.reason).toMatch(why);
  });

  it.each([
    ['awk \'{ print > "/etc/cron.d/job" }\' list.txt', /"\/etc\/cron.d\/job" \(written by awk\)/],
    ['awk \'{ printf "%s", $0 >> "/etc/profile" }\' list.txt', /"\/etc\/profile" \(written/],
  ])('%s is judged by the file its program names', (command, why) => {
    const decision = check(command);
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toMatch(why);
  });

  it('getline from a file in a blocked folder is denied', () => {
    const key = path.join(homeDir, '.ssh', 'id_rsa');
    const decision = check(`awk 'BEGIN { while ((getline l < "${key}") > 0) print l }'`);
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toMatch(/\(read by awk\).*inside blocked path ~\/\.ssh/);
  });

  it.each([
    'awk \'{ gsub(/^ +| +$/, "") } 1\' list.txt',
    'awk \'BEGIN { FS = "|" } { print $1 }\' list.txt',
    'awk \'$1 == "*" || $1 ~ /^[0-9]+$/ && $1 < 15 { print }\' list.txt',
    'awk \'{ printf "%s|", $0 } END { printf "\\n" }\' list.txt',
    "awk '{ if ($2 ~ /[Ii]mage|EPS/) print $1 }' list.txt",
    'awk \'{ print ($1 > 5) ? "big" : "small" }\' list.txt',
    "awk '{ s += $1 / 2 } END { print s }' list.txt",
    'awk \'{ print > "out.txt" }\' list.txt',
    'awk \'{ print $1 > $2 ".txt" }\' list.txt',
    "awk -F'|' -v OFS=, '{ print $1, $2 }' list.txt",
    "awk '/^a/ { n++ } /b|c/ { m++ } END { print n, m }' list.txt",
  ])('%s runs', (command) => {
    const decision = check(command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it('a file the data names is a path only known when it runs, bounded by the sandbox', () => {
    const effects = awkEffects('{ print $1 > $2 ".txt" }');
    expect(effects.runs).toBeUndefined();
    expect(effects.writes).toEqual([{ value: '$2 ".txt"', literal: false, pattern: true }]);
    const decision = check('awk \'{ print $1 > $2 ".txt" }\' list.txt');
    expect(decision.shell?.unknown).toEqual([
      expect.objectContaining({ kind: 'path', operation: 'write', bounded: true }),
    ]);
  });
});

describe('IFS and printing aliases are not changes to what later commands run', () => {
  it.each([
    'IFS= read -r line < notes.txt',
    'find . -print0 | while IFS= read -r -d \'\' f; do wc -l "$f"; done',
    'IFS=, read -a fields <<< "$row"',
  ])('%s runs', (command) => {
    const decision = check(command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it('PATH still does', () => {
    expect(check('PATH=./bin:$PATH; make').decision).toBe('ask');
  });

  it.each(['alias', 'alias -p | grep ll', 'alias ll'])(
    '%s only prints aliases: runs',
    (command) => {
      const decision = check(command);
      expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
    },
  );

  it.each(["alias ls='rm -rf'", 'alias "$NAME"'])('%s defines one: asks', (command) => {
    expect(check(command).reason).toMatch(/changes what a command name runs/);
  });
});
