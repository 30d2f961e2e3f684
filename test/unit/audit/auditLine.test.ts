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

describe('the session of a turn', () => {
  const SESSION = '0123456789abcdef0123456789abcdef';

  it('ends the readable part with session="…", after the fields', () => {
    const body = formatBody({
      kind: 'tool_call',
      name: 'fs.read',
      fields: { path: '/w/a.txt' },
      sessionId: SESSION,
      taskId: 'task-1',
      time: AT,
    });
    // The task stays off the line, as before sessions.
    expect(body).toBe(
      `2024-01-15T10:23:45Z INFO  [tool_call] fs.read path="/w/a.txt" session="${SESSION}"`,
    );
  });

  it('leaves it out on request (the timeline summary), and off events outside sessions', () => {
    const event = { kind: 'user_command' as const, text: 'hi', time: AT };
    expect(formatBody({ ...event, sessionId: SESSION }, { session: false })).toBe(
      '2024-01-15T10:23:45Z INFO  [user_command] "hi"',
    );
    expect(formatBody(event)).toBe('2024-01-15T10:23:45Z INFO  [user_command] "hi"');
  });

  it('keeps session= for the session: an event field of that name is written as field=', () => {
    const body = formatBody({
      kind: 'tool_call',
      fields: { session: 'forged' },
      sessionId: SESSION,
      time: AT,
    });
    expect(body).toBe(`2024-01-15T10:23:45Z INFO  [tool_call] field="forged" session="${SESSION}"`);
  });

  it('quotes an odd id so the event stays one line', () => {
    const body = formatBody({ kind: 'error', sessionId: 'a"b\nseq=1', time: AT });
    expect(body).toBe(`2024-01-15T10:23:45Z ERROR [error] session=${JSON.stringify('a"b\nseq=1')}`);
    expect(body).not.toContain('\n');
  });
});
