import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src-main/secrets/redactor.js';
import { StreamRedactor } from '../../../src-main/secrets/streamRedactor.js';
import { FAKE_CREDENTIALS, filler } from './fakeSecrets.js';

/** mulberry32: a small seeded PRNG, so every run tries the same splits. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LLM_KEY = 'k3y-' + filler(40, 'Zq9xW2_');
const SMTP_PASSWORD = 'correct horse "battery" staple/42+';

function makeRedactor(): Redactor {
  const redactor = new Redactor();
  redactor.registerSecret('llm_api_key', LLM_KEY);
  redactor.registerSecret('smtp_password', SMTP_PASSWORD);
  return redactor;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A log-like text mixing plain words, registered secrets in their encoded forms, pattern
 * credentials and long runs with nothing to redact. */
function makeText(random: () => number): string {
  const pieces: (() => string)[] = [
    () => pick(random, ['hello ', 'world\n', '{"ok":true}\n', ' - ', 'a', 'path=/tmp/x ']),
    () => LLM_KEY,
    () => SMTP_PASSWORD,
    () => JSON.stringify({ env: { KEY: SMTP_PASSWORD } }),
    () => `?p=${encodeURIComponent(SMTP_PASSWORD)}&q=1`,
    () => {
      const prefix = pick(random, ['', 'u', 'us', 'user:']);
      const encoding = pick(random, ['base64', 'base64url'] as const);
      return `Basic ${Buffer.from(prefix + LLM_KEY).toString(encoding)} `;
    },
    () => `${pick(random, FAKE_CREDENTIALS).value}${pick(random, [' ', '\n', '"', ''])}`,
    () => `Authorization: Bearer ${filler(30, 'tOk3n_')} `,
    () => `https://deploy:${filler(12, 'pW0rd')}@example.com/ `,
    () => filler(Math.floor(random() * 1500), 'lorem ipsum dolor '),
    () => filler(Math.floor(random() * 1500), 'Ab3dE5fG7hIj9KlM'),
  ];
  let text = '';
  const count = 5 + Math.floor(random() * 30);
  for (let i = 0; i < count; i++) text += pick(random, pieces)();
  return text;
}

function splitRandomly(random: () => number, text: string): string[] {
  const chunks: string[] = [];
  const maxChunk = pick(random, [1, 7, 64, 700, 5000]);
  for (let index = 0; index < text.length;) {
    const size = Math.floor(random() * maxChunk) + (random() < 0.1 ? 0 : 1);
    chunks.push(text.slice(index, index + size));
    index += size;
  }
  return chunks;
}

function streamed(redactor: Redactor, chunks: readonly string[]): string {
  const stream = new StreamRedactor(redactor);
  return chunks.map((chunk) => stream.push(chunk)).join('') + stream.end();
}

describe('StreamRedactor', () => {
  it('gives exactly redact(text) for any split of the text into chunks', () => {
    const redactor = makeRedactor();
    const random = prng(20261125);
    for (let round = 0; round < 60; round++) {
      const text = makeText(random);
      const expected = redactor.redact(text);
      for (let split = 0; split < 4; split++) {
        const chunks = splitRandomly(random, text);
        expect(streamed(redactor, chunks), `round ${round}, split ${split}`).toBe(expected);
      }
    }
  });

  it('never emits any part of a secret split across chunks, even one character at a time', () => {
    const redactor = makeRedactor();
    const text = `${filler(3000, 'plain text ')}${LLM_KEY} and ${SMTP_PASSWORD}${filler(2000)}`;
    const stream = new StreamRedactor(redactor);
    let output = '';
    for (const character of text) output += stream.push(character);
    expect(output).not.toContain(LLM_KEY.slice(0, 12));
    output += stream.end();
    expect(output).toBe(redactor.redact(text));
    expect(output).not.toContain(LLM_KEY);
    expect(output).not.toContain(SMTP_PASSWORD);
  });

  it('emits clean text as it comes once more than the held-back tail has arrived', () => {
    const stream = new StreamRedactor(makeRedactor());
    const first = stream.push(filler(5000, 'nothing secret here\n'));
    expect(first.length).toBeGreaterThan(3000);
    expect(first + stream.end()).toBe(filler(5000, 'nothing secret here\n'));
  });

  it('holds a private key block with no END line yet, then redacts it whole', () => {
    const redactor = makeRedactor();
    const key = FAKE_CREDENTIALS.find((fake) => fake.rule === 'private-key')!.value;
    const lines = `log start\n${key}\n${filler(4000, 'after the key ')}`.split(/(?<=\n)/);
    const output = streamed(redactor, lines);
    expect(output).toBe(redactor.redact(lines.join('')));
    expect(output).toContain('[REDACTED:private-key]');
  });
});
