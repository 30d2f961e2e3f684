// The sealed line must be byte for byte what verify recomputes (chainHash over the same text),
// and values must be quoted exactly as JSON.stringify would, whichever path formats them.
import { describe, expect, it } from 'vitest';
import {
  chainHash,
  formatBody,
  GENESIS_HASH,
  LineSealer,
  parseSeal,
} from '../../../src-main/audit/auditLine.js';

const AT = new Date('2024-01-15T10:23:45Z');

describe('LineSealer', () => {
  it('seals with the hash verify recomputes, for ASCII and non-ASCII bodies', () => {
    const sealer = new LineSealer();
    let previous = GENESIS_HASH;
    const bodies = ['plain ascii body', 'ärger straße 日本 😀 "x"', 'x'.repeat(40_000)];
    bodies.forEach((body, index) => {
      const sealed = sealer.seal(body, index + 1, previous, false);
      expect(sealed.hash).toBe(chainHash(previous, `${body} seq=${index + 1}`));
      expect(Buffer.from(sealed.bytes).toString('utf8')).toBe(`${sealed.line}\n`);
      expect(parseSeal(sealed.line)).toEqual({ body, seq: index + 1, hash: sealed.hash });
      previous = sealed.hash;
    });
  });

  it('ends a line left unfinished with a newline in the same write', () => {
    const sealed = new LineSealer().seal('body', 7, GENESIS_HASH, true);
    expect(Buffer.from(sealed.bytes).toString('utf8')).toBe(`\n${sealed.line}\n`);
  });
});

describe('formatBody quoting', () => {
  it.each([
    'plain',
    'quote " and \\ backslash',
    'line\nbreak\ttab\u0000nul\u001b[31m',
    'ärger',
    'pair 😀',
    'lone \ud800 surrogate',
    'separators \u2028\u2029',
  ])('quotes %j exactly as JSON.stringify', (value) => {
    const body = formatBody({ kind: 'user_command', text: value, time: AT });
    expect(body).toBe(`2024-01-15T10:23:45Z INFO  [user_command] ${JSON.stringify(value)}`);
  });
});
