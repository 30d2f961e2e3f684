// Inline Perl that only filters text is judged like sed (issue 19): `perl -pi -e 's/a/b/g' x`
// runs with shell confirmations off, `perl -e 'system …'` still asks. The one-liner reader
// (src-main/policy/shell/perlOneLiner.ts) accepts a closed list of constructs; each test below
// shows a way out of it that must ask — including inputs built to make a reader that lexes
// differently from Perl skip code as if it were a string. Through the real bash parser and a
// real PolicyEnforcer; the 2-argument-open trap is shown with the real perl.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perlCodeProblem } from '../../../src-main/policy/shell/perlOneLiner.js';
import { shellPolicy, type ShellPolicy } from '../../support/shellPolicy.js';
import { makeTempFolder } from '../../support/tempFolders.js';

let shell: ShellPolicy;

beforeAll(async () => {
  shell = await shellPolicy('omnipalm-perl-');
});
afterAll(() => shell.close());

const check = (command: string) => shell.check(command);

describe('perl one-liners that only filter text run', () => {
  it.each([
    "perl -pe 's/foo/bar/g' notes.txt",
    "perl -ne 'print if /c|d|z/' notes.txt",
    "perl -lane '$t += $F[6]; END { print $t }' notes.txt",
    "perl -F, -lane 'print $F[1]' data.csv",
    "perl -0777 -pe 's/\\n//g' notes.txt",
    "find / -type l -print | perl -nle '-e || print'",
    "seq 10 | perl -e '@x = <>; print @x[0..$#x-3]'",
    "perl -pe 's/(\\d+)/$1*2/e' notes.txt",
    'ls -1 | perl -l40pe0',
    "perl -ne '$h{$_}++; END { print for sort keys %h }' notes.txt",
    "perl -ne 'print $1 if m/\\.([^.\\/]+)$/' list.txt",
    "perl -lpe 's{ }{\\\\ }g' list.txt",
    'seq 10 | perl -e \'@x = ("") x3; while (<>) { print shift @x; push @x, $_ }\'',
    "perl -ne 'print if ( !eof )' notes.txt",
    'perl -ne \'$s{$1} += 1 if /(\\w+)/; END { print "$_ $s{$_}\\n" for keys %s }\' notes.txt',
    'perl -ne \'print "$F[0]\\n"\' notes.txt',
    "perl -ne '$n = $x // 0; print $n' notes.txt",
    "perl -ne 'print' ./*.txt",
    "perl -pi -e 's/a/b/' notes.txt",
    "find . -name '*.c' | xargs perl -pi -e 's/old/new/g'",
    "find . -name '*.c' -exec perl -pi.bak -e 's/old/new/g' {} +",
  ])('%s', (command) => {
    const decision = check(command);
    expect(decision, decision.reason).toMatchObject({ decision: 'allow' });
  });

  it('with -i its files are written, and judged as writes', () => {
    const decision = check("perl -pi -e 's/a/b/' notes.txt /etc/hosts");
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toMatch(/"\/etc\/hosts" \(written by perl\) is outside/);
  });
});

describe('perl one-liners that do more ask, naming why', () => {
  it.each([
    ['perl -e \'system("id")\'', /it calls system/],
    ["perl -e 'print `id`'", /runs a shell command/],
    ["perl -e 'print qx(id)'", /it calls qx/],
    ['perl -e \'exec "id"\'', /it calls exec/],
    ['perl -e \'open(F, ">x"); print F 1\'', /it calls open/],
    ['perl -e \'unlink "notes.txt"\'', /it calls unlink/],
    ['perl -e \'rename "a", "b"\'', /it calls rename/],
    ['perl -e \'eval "1"\'', /it calls eval/],
    ['perl -e \'do "x.pl"\'', /runs a file/],
    ["perl -MPOSIX -e 'print 1'", /perl -M is not a text filter's option/],
    ['perl -e \'$x = "CORE::system"; &$x("id")\'', /calls a sub by name or reference/],
    ['perl -e \'$x = "CORE::system"; $x->("id")\'', /calls a method or dereferences/],
    ['perl -e \'CORE::system("id")\'', /names a package/],
    ["perl -e '*x = 1'", /typeglob/],
    ['perl -e \'print "@{[ system 1 ]}"\'', /runs code inside a string/],
    ['perl -e \'print "${\\ system 1 }"\'', /runs code inside a string/],
    ['perl -e \'print "$x[system 1]"\'', /expression inside a string subscript/],
    ["perl -ne 'print if /(?{ system 1 })/'", /runs code inside a pattern/],
    ["perl -pe 's/x/$y/ee'", /s\/\/\/ee/],
    ["perl -pe 's/x/system 1/e'", /in its s\/\/\/e replacement, it calls system/],
    ["perl -e 'print <<EOF'", /here-document/],
    ['perl -e \'$SIG{ALRM} = "x"\'', /signal handler/],
    ["perl -e 'sort $f @x'", /sorts with a sub named by a variable/],
    ["perl -e '$^I = 1'", /special variable/],
    ["perl -e '$$x = 1'", /dereferences an expression/],
    ['perl -e \'@{"ARGV"} = 1\'', /dereferences an expression/],
    ["perl -e 'print 1 # comment'", /# comment/],
    ['perl -pe "$CODE" notes.txt', /only known when it runs/],
    ["perl -i/tmp/x/ -pe 's/a/b/' notes.txt", /backup name is not a plain suffix/],
    ["perl -F'(.)(?{ 1 })' -lane 'print'", /-F pattern is not a plain separator/],
  ])('%s', (command, why) => {
    const decision = check(command);
    expect(decision.decision).toBe('ask');
    expect(decision.reason).toMatch(why);
  });

  // Each hides `system` where a reader that lexes a `/`, `#` or `{` differently from Perl
  // would take it for part of a string or pattern.
  it.each([
    'print STDERR /"/; system("id"); #"/',
    'if (1) {} /"/; system("id"); #"/',
    'print time /2; system("id"); #/',
    'print length /"/; system("id"); #"/',
    '$n = $x // "a"; system("id"); "b"',
    's{a} #x\n{b}; system 1',
    'q #x#; system 1',
    '@x = 1; print "@x[0] $x{a}" ; system 1',
    'print 1\n=pod\nsystem 1\n=cut\n',
    '$h{s} = 1; system 1',
  ])('no way around the reader: %j', (code) => {
    expect(perlCodeProblem(code)).toBeDefined();
  });
});

describe("perl -n/-p's 2-argument open", () => {
  it('is real: without -i a file argument ending in | runs; with -i it does not', () => {
    const folder = makeTempFolder('omnipalm-perl-open-');
    const marker = path.join(folder, 'ran');
    execFileSync('perl', ['-ne', '1', `touch ${marker} |`], { cwd: folder, stdio: 'ignore' });
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
    try {
      execFileSync('perl', ['-pi', '-e', '1', `touch ${marker} |`], {
        cwd: folder,
        stdio: 'ignore',
      });
    } catch {
      // perl reports it cannot open a file by that name: the point is that nothing ran.
    }
    expect(fs.existsSync(marker)).toBe(false);
  });

  it.each([
    ["perl -ne 'print' 'x |'", /x \| is not a plain name/],
    ["perl -ne 'print' *.txt", /\*\.txt is not a plain name/],
    ['perl -ne \'print\' "$FILE"', /is not a plain name/],
    ["find . -exec perl -ne 'print' {} +", /\{\} is not a plain name/],
    ["find . | xargs perl -ne 'print'", /is not a plain name|standard input/],
    ['perl -ne \'BEGIN { @ARGV = ("id |") } print\'', /changes @ARGV/],
    ["perl -e 'print while <>' *.log", /is not a plain name/],
  ])('%s asks without -i', (command, why) => {
    const decision = check(command);
    expect(decision.decision).toBe('ask');
    expect(decision.reason).toMatch(why);
  });
});
