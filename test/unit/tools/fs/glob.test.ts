// The glob matcher the fs tools use instead of fs.glob (not in Node 20).
import { describe, expect, it } from 'vitest';
import { globToRegExp, hasGlob, splitGlob } from '../../../../src-main/tools/fs/glob.js';

const matches = (pattern: string, candidate: string) => globToRegExp(pattern).test(candidate);

describe('globToRegExp', () => {
  it.each([
    ['*.log', 'app.log', true],
    ['*.log', 'logs/app.log', false],
    ['*.log', '.hidden.log', false],
    ['app?.log', 'app1.log', true],
    ['app?.log', 'app12.log', false],
    ['**/*.log', 'app.log', true],
    ['**/*.log', 'a/b/c/app.log', true],
    ['**/*.log', 'a/.git/app.log', false],
    ['logs/**', 'logs/a/b.txt', true],
    ['a/**/b.txt', 'a/b.txt', true],
    ['a/**/b.txt', 'a/x/y/b.txt', true],
    ['[ab].txt', 'a.txt', true],
    ['[ab].txt', 'c.txt', false],
    ['[!ab].txt', 'c.txt', true],
    ['[a-c]1', 'b1', true],
    ['file(1).txt', 'file(1).txt', true],
    ['a.b', 'axb', false],
  ])('%s against %s → %s', (pattern, candidate, expected) => {
    expect(matches(pattern, candidate)).toBe(expected);
  });

  it('a character class never matches a folder separator', () => {
    expect(matches('a[/]b', 'a/b')).toBe(false);
    expect(matches('a[!x]b', 'a/b')).toBe(false);
  });
});

describe('splitGlob', () => {
  it('splits at the first component with a wildcard', () => {
    expect(splitGlob('~/logs/**/*.log')).toEqual({ base: '~/logs', rest: '**/*.log' });
    expect(splitGlob('/var/log/app/*.log')).toEqual({ base: '/var/log/app', rest: '*.log' });
    expect(splitGlob('*.log')).toEqual({ base: '.', rest: '*.log' });
    expect(splitGlob('/*.log')).toEqual({ base: '/', rest: '*.log' });
    expect(splitGlob('notes.txt')).toEqual({ base: 'notes.txt' });
    expect(hasGlob('a[1].txt')).toBe(true);
  });
});
